import { route } from "@/server/http/guard";
import { checkForeignOwners } from "@/server/stack/config-verbs";

// POST /api/v1/stack/owners {config, components?} – before saving: the objects this draft config would change whose
// fields another manager (Terraform, kubeadm…) owns, by server-side dry run; nothing is saved or applied (admin)
export const dynamic = "force-dynamic";

export const POST = route(checkForeignOwners);
