// The vulnerability-management pages, loaded on first use (one chunk):
// #/systems, #/systems/new, #/systems/ID, #/hosts, #/hosts/new[/SYSTEM], #/hosts/ID,
// #/findings, #/warnings, #/warnings/new, #/warnings/ID, #/compliance, #/imports,
// #/indicators, #/indicators/new, #/indicators/exchange, #/indicators/ID, #/hunts, #/hunts/new, #/hunts/ID.
import { SystemList, SystemNew, SystemPage } from './Systems';
import { HostList, HostNew, HostPage } from './Hosts';
import { FindingsPage } from './Findings';
import { WarningList, WarningNew, WarningPage } from './Warnings';
import { CompliancePage } from './Compliance';
import { ImportsPage } from './Imports';
import { IndicatorExchange, IndicatorList, IndicatorNew, IndicatorPage } from './Indicators';
import { HuntList, HuntNew, HuntPage } from './Hunts';

export function AssetsRoute({ route }: { route: string[] }) {
  const [a, b, c] = route;
  switch (a) {
    case 'systems': return b === 'new' ? <SystemNew /> : b ? <SystemPage id={b} key={b} /> : <SystemList />;
    case 'hosts': return b === 'new' ? <HostNew systemId={c} key={c ?? ''} /> : b ? <HostPage id={b} key={b} /> : <HostList />;
    case 'findings': return <FindingsPage />;
    case 'warnings': return b === 'new' ? <WarningNew /> : b ? <WarningPage id={b} key={b} /> : <WarningList />;
    case 'compliance': return <CompliancePage />;
    case 'imports': return <ImportsPage />;
    case 'indicators':
      return b === 'new' ? <IndicatorNew /> : b === 'exchange' ? <IndicatorExchange /> : b ? <IndicatorPage id={b} key={b} /> : <IndicatorList />;
    case 'hunts': return b === 'new' ? <HuntNew /> : b ? <HuntPage id={b} key={b} /> : <HuntList />;
    default: return null;
  }
}
