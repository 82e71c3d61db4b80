"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/", label: "Overview" },
  { href: "/health", label: "Health" },
  { href: "/architecture", label: "Architecture" },
  { href: "/paths", label: "Resolution paths" },
  { href: "/stack", label: "Stack" },
  { href: "/coredns", label: "CoreDNS" },
  { href: "/technitium", label: "Technitium" },
  { href: "/zones", label: "Zones" },
  { href: "/query-logs", label: "Query logs" },
  { href: "/clients", label: "Clients" },
  { href: "/audit", label: "Audit" },
];

export function Nav() {
  const path = usePathname();
  return (
    <nav aria-label="Sections">
      <ul>
        {LINKS.map((l) => {
          const active = l.href === "/" ? path === "/" : path.startsWith(l.href);
          return (
            <li key={l.href}>
              <Link href={l.href} className={active ? "active" : undefined} aria-current={active ? "page" : undefined}>
                {l.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
