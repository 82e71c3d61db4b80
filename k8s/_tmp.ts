import { validateCorefile } from "@/k8s/corefile";
const CORE_HEAD = `.:53 {
    errors
    health
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       fallthrough in-addr.arpa ip6.arpa
    }
`;
const core = (body: string) => `${CORE_HEAD}${body}\n}\n`;
console.log(validateCorefile(core("    cache {\n       prefetch 10 1m 5%\n    }"), "coredns").errors);
console.log(validateCorefile(".:53 {\n    errors {\n       consolidate 5m \".* i/o timeout$\" loud\n    }\n    health\n    ready\n    kubernetes cluster.local\n}\n", "coredns").errors);
