export { type CallOutcome, IntegrationMetrics } from './integration-metrics';
export { MONITORED, Monitored, type MonitoredMetadata } from './monitored.decorator';
export { MonitoringModule } from './monitoring.module';
