import { formatNumber } from '../shared/format';
import { Link } from '../shell/router';

/** On the overview: how many dead letters wait for a replay, with a link to them (nothing when none). */
export function DeadLetterNotice({ unreplayed }: { unreplayed: number | undefined }) {
  if (!unreplayed) return null;
  return (
    <p className="notice notice-warn" role="status" data-testid="dead-letter-notice">
      <strong>
        {formatNumber(unreplayed)} dead letter{unreplayed === 1 ? '' : 's'} not replayed
      </strong>
      : messages naming this tenant that the ledger could not apply. <Link to="/dead-letters?replayed=false">See the dead letters</Link>
    </p>
  );
}
