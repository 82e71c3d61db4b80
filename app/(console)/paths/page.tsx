import { pageContext } from "@/server/auth/page-context";
import { PathsView } from "./paths-view";

export const metadata = { title: "Resolution paths · dnsdeck" };

export default async function Page() {
  await pageContext("/paths"); // no data here (the view fetches it through the API), but nothing renders for a stranger
  return (
    <>
      <h1>Resolution paths</h1>
      <p className="lede">How each kind of client resolves a name, drawn from the current config; trace a name through every hop.</p>
      <PathsView />
    </>
  );
}
