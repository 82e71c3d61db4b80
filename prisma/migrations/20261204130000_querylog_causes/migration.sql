-- Why queries fail, rolled up (issue 12): every failed answer (NXDOMAIN, SERVFAIL, blocked) classified by cause
-- (k8s/causes.ts) while the rollup reads its window, so the causes page over 90 days reads a few thousand rows.
-- cause: the position in k8s/causes.ts CAUSES; server_id: querylog_servers.

-- per day, instance, cause and the kind of client that asked (k8s/clients.ts CLIENT_KINDS position, resolved
-- through the client directory when the rows were rolled up), with the hours as columns (series at any bucket of an
-- hour or more)
CREATE TABLE "querylog_cause_day" (
    "day" DATE NOT NULL,
    "server_id" SMALLINT NOT NULL,
    "cause" SMALLINT NOT NULL,
    "kind" SMALLINT NOT NULL,
    "n" BIGINT NOT NULL DEFAULT 0,
    "h00" INTEGER NOT NULL DEFAULT 0, "h01" INTEGER NOT NULL DEFAULT 0, "h02" INTEGER NOT NULL DEFAULT 0, "h03" INTEGER NOT NULL DEFAULT 0,
    "h04" INTEGER NOT NULL DEFAULT 0, "h05" INTEGER NOT NULL DEFAULT 0, "h06" INTEGER NOT NULL DEFAULT 0, "h07" INTEGER NOT NULL DEFAULT 0,
    "h08" INTEGER NOT NULL DEFAULT 0, "h09" INTEGER NOT NULL DEFAULT 0, "h10" INTEGER NOT NULL DEFAULT 0, "h11" INTEGER NOT NULL DEFAULT 0,
    "h12" INTEGER NOT NULL DEFAULT 0, "h13" INTEGER NOT NULL DEFAULT 0, "h14" INTEGER NOT NULL DEFAULT 0, "h15" INTEGER NOT NULL DEFAULT 0,
    "h16" INTEGER NOT NULL DEFAULT 0, "h17" INTEGER NOT NULL DEFAULT 0, "h18" INTEGER NOT NULL DEFAULT 0, "h19" INTEGER NOT NULL DEFAULT 0,
    "h20" INTEGER NOT NULL DEFAULT 0, "h21" INTEGER NOT NULL DEFAULT 0, "h22" INTEGER NOT NULL DEFAULT 0, "h23" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "querylog_cause_day_pkey" PRIMARY KEY ("day", "server_id", "cause", "kind")
) WITH (fillfactor = 70);

-- which rules built each day's cause rows, and how many rolled rows they cover: a day whose version is older than
-- the code's, or whose rows differ from querylog_days.rows (rolled up before causes existed), is back-filled
CREATE TABLE "querylog_cause_days" (
    "day" DATE NOT NULL,
    "version" INTEGER NOT NULL,
    "rows" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "querylog_cause_days_pkey" PRIMARY KEY ("day")
) WITH (fillfactor = 70);
