import { PathsView } from "./paths-view";

export const metadata = { title: "Resolution paths · dnsdeck" };

export default function Page() {
  return (
    <>
      <h1>Resolution paths</h1>
      <p className="lede">How each kind of client resolves a name, drawn from the current config; trace a name through every hop.</p>
      <PathsView />
    </>
  );
}
