"use client";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";

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

/**
 * The sidebar's links prefetch on intent (pointer over, keyboard focus), not on sight: prefetching all eleven pages as
 * soon as any page loads sent eleven server renders into the same second as the page's own code and data, and the first
 * screen waited for them (measured: a page's drawing code arrived ~1 s later).
 */
export function Nav() {
  const path = usePathname();
  const router = useRouter();
  return (
    <nav aria-label="Sections">
      <ul>
        {LINKS.map((l) => {
          const active = l.href === "/" ? path === "/" : path.startsWith(l.href);
          return (
            <li key={l.href}>
              <Link href={l.href} prefetch={false} onPointerEnter={() => router.prefetch(l.href)} onFocus={() => router.prefetch(l.href)} className={active ? "active" : undefined} aria-current={active ? "page" : undefined}>
                {l.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
