// Admin: the sections only an admin sees (the API refuses the others their calls too: 403), one at a
// time, chosen with buttons in a labelled navigation; the one shown is marked aria-current.
import { t } from '../strings.js';

export const ADMIN_SECTIONS = ['queue', 'accounts', 'analytics', 'platform'] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];

export function AdminNav({ current, onChange }: { current: AdminSection; onChange: (section: AdminSection) => void }) {
  return (
    <nav aria-label={t.admin.nav} className="admin-nav">
      <ul>
        {ADMIN_SECTIONS.map((section) => (
          <li key={section}>
            <button
              type="button"
              className={section === current ? 'link current' : 'link'}
              aria-current={section === current ? 'page' : undefined}
              onClick={() => onChange(section)}
            >
              {t.admin.sections[section]}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
