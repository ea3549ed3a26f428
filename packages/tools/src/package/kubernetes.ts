import type { PackagedModel, PackageSettings } from './types.js';

const MIB = 1024 * 1024;
/** Sessions `serve` opens per model by default (the server's DEFAULT_INSTANCES.count). */
export const SESSIONS_PER_MODEL = 2;

/**
 * Requests from the measured peak memory of one session of every model, times the sessions the server
 * opens per model (Node itself counted once), plus 25% headroom for request buffers; the limit at twice
 * the request, so a burst of large images is not OOM-killed.
 */
export function resourcesFor(models: PackagedModel[]): {
  requests: Record<string, string>;
  limits: Record<string, string>;
} {
  const nodeBaseline = 60 * MIB; // one Node process, counted in each measurement; keep it once
  const sessions = models.reduce((sum, m) => sum + Math.max(0, m.memoryBytes - nodeBaseline), 0);
  const measured = nodeBaseline + sessions * SESSIONS_PER_MODEL;
  const requestMiB = Math.ceil((measured * 1.25) / MIB / 16) * 16;
  return {
    requests: { cpu: '1', memory: `${requestMiB}Mi` },
    limits: { cpu: '2', memory: `${requestMiB * 2}Mi` },
  };
}

const labels = (s: PackageSettings): Record<string, string> => ({
  'app.kubernetes.io/name': s.name,
  'app.kubernetes.io/part-of': 'oxidizedvision',
});

export function deployment(settings: PackageSettings, models: PackagedModel[]): Record<string, unknown> {
  const probe = (path: string, period: number) => ({
    httpGet: { path, port: 'http' },
    periodSeconds: period,
    timeoutSeconds: 3,
    failureThreshold: 3,
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: settings.name, labels: labels(settings) },
    spec: {
      replicas: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': settings.name } },
      template: {
        metadata: {
          labels: labels(settings),
          annotations: {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(settings.port),
            'prometheus.io/path': '/metrics',
          },
        },
        spec: {
          // The server drains for DRAIN_TIMEOUT_SECS after SIGTERM; give it that plus time to exit.
          terminationGracePeriodSeconds: settings.drainTimeoutSecs + 5,
          securityContext: { runAsNonRoot: true, runAsUser: 1000 },
          containers: [
            {
              name: 'server',
              image: settings.image,
              ports: [{ name: 'http', containerPort: settings.port }],
              env: [
                { name: 'HOST', value: '0.0.0.0' },
                { name: 'PORT', value: String(settings.port) },
                { name: 'DRAIN_TIMEOUT_SECS', value: String(settings.drainTimeoutSecs) },
              ],
              resources: resourcesFor(models),
              startupProbe: { ...probe('/v2/health/ready', 2), failureThreshold: 60 },
              readinessProbe: probe('/v2/health/ready', 5),
              livenessProbe: probe('/v2/health/live', 10),
              securityContext: { allowPrivilegeEscalation: false },
            },
          ],
        },
      },
    },
  };
}

export function service(settings: PackageSettings): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: settings.name, labels: labels(settings) },
    spec: {
      selector: { 'app.kubernetes.io/name': settings.name },
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

/** Scales on CPU: inference is CPU-bound, and a saturated replica shows it before its queue overflows. */
export function autoscaler(settings: PackageSettings): Record<string, unknown> {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: settings.name, labels: labels(settings) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: settings.name },
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      ],
    },
  };
}

/**
 * KServe v1beta1 InferenceService with a custom predictor container: KServe routes the Open Inference
 * Protocol (v2) to it, so clients of the plain server keep working. KServe sends traffic to the
 * container's declared port, so PORT and containerPort are written together.
 */
export function inferenceService(settings: PackageSettings, models: PackagedModel[]): Record<string, unknown> {
  return {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: { name: settings.name, annotations: { 'serving.kserve.io/enable-prometheus-scraping': 'true' } },
    spec: {
      predictor: {
        minReplicas: 1,
        maxReplicas: 10,
        containers: [
          {
            name: 'kserve-container',
            image: settings.image,
            ports: [{ containerPort: settings.port, protocol: 'TCP' }],
            env: [
              { name: 'HOST', value: '0.0.0.0' },
              { name: 'PORT', value: String(settings.port) },
              { name: 'PROTOCOL', value: 'v2' },
            ],
            resources: resourcesFor(models),
            readinessProbe: { httpGet: { path: '/v2/health/ready', port: settings.port }, periodSeconds: 5 },
            livenessProbe: { httpGet: { path: '/v2/health/live', port: settings.port }, periodSeconds: 10 },
          },
        ],
      },
    },
  };
}
