-- The client directory (issue 12): address intervals → identity from the Kubernetes API, reverse names of LAN/VPN
-- addresses through Technitium, and when the directory last read the API.

CREATE TABLE "client_addresses" (
    "id" SERIAL NOT NULL,
    "ip" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "namespace" TEXT,
    "node" TEXT,
    "valid_from" TIMESTAMPTZ(3) NOT NULL,
    "valid_to" TIMESTAMPTZ(3),
    CONSTRAINT "client_addresses_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "client_addresses_ip_valid_from_idx" ON "client_addresses"("ip", "valid_from");
CREATE INDEX "client_addresses_name_idx" ON "client_addresses"("name");
-- at most one open interval per address
CREATE UNIQUE INDEX "client_addresses_open_ip_key" ON "client_addresses"("ip") WHERE "valid_to" IS NULL;

CREATE TABLE "client_names" (
    "ip" TEXT NOT NULL,
    "name" TEXT,
    "looked_up_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "error" TEXT,
    CONSTRAINT "client_names_pkey" PRIMARY KEY ("ip")
);

CREATE TABLE "client_directory_status" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "last_ok_at" TIMESTAMPTZ(3),
    "last_error_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    CONSTRAINT "client_directory_status_pkey" PRIMARY KEY ("id")
);
