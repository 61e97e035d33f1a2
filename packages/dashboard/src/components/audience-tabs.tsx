// The audience's pages, as tabs under one entry of the navigation.
import { useLocation } from 'preact-iso';

export const AUDIENCE_TABS = [
  { href: '/contacts', label: 'Contacts' },
  { href: '/segments', label: 'Segments' },
  { href: '/topics', label: 'Topics' },
  { href: '/contact-properties', label: 'Properties' },
  { href: '/imports', label: 'CSV imports' },
];

export function AudienceTabs() {
  const { path } = useLocation();
  return (
    <nav class="subnav" aria-label="Audience">
      {AUDIENCE_TABS.map((tab) => (
        <a key={tab.href} href={tab.href} aria-current={path.startsWith(tab.href) ? 'page' : undefined}>
          {tab.label}
        </a>
      ))}
    </nav>
  );
}
