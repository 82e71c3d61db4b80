import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: "dnsdeck",
  description: "Control plane for the homelab's Kubernetes DNS stack",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
