// The platform's mode and version for everyone (GET /api/v1/status, answered in every mode): a banner
// while a reduced mode is in force, the version in the footer.
import type { PlatformStatus } from '../api/client.js';
import { t } from '../strings.js';

export function StatusBanner({ status }: { status: PlatformStatus | undefined }) {
  if (!status) return null;
  const reduced = status.reducedFeatures.filter((feature) => feature !== 'writes' && feature !== 'api');
  return (
    <>
      {status.mode !== 'Normal' && (
        <div className="banner" role="status" data-mode={status.mode}>
          {t.mode[status.mode]}
        </div>
      )}
      {status.mode === 'Normal' && reduced.length > 0 && (
        <div className="banner" role="status">
          {t.mode.reduced(reduced.join(', '))}
        </div>
      )}
    </>
  );
}
