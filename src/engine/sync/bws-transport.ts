import { BwsClient, type BwsClientOptions } from '../bws/client.js';
import { classifyFailure, describeJobErrors } from '../bws/errors.js';
import { type FaceTemplateStatus, timestampToIso } from '../bws/messages.js';
import type { TemplateSnapshot } from '../store/queue-types.js';
import type { EnrollOutcome, SyncTransport } from './transport.js';

/** The sync engine's port implemented with the real BWS client (gRPC + JWT). */
export class BwsTransport implements SyncTransport {
  constructor(readonly client: BwsClient) {}

  static fromOptions(options: BwsClientOptions): BwsTransport {
    return new BwsTransport(new BwsClient(options));
  }

  async enroll(classId: string, images: Buffer[], options: { reference: string; deadlineMs: number }): Promise<EnrollOutcome> {
    const result = await this.client.enroll(classId, images, { reference: options.reference, deadlineMs: options.deadlineMs });
    const response = result.response;
    return {
      status: String(response.status),
      action: String(response.performed_action),
      errorText: response.errors.length > 0 || String(response.performed_action) === 'ENROLLMENT_FAILED' ? describeJobErrors(response.errors) : '',
      serverJobId: result.metadata.jobId,
      enrolledImages: response.enrolled_images,
      templateAfter: response.template_status ? snapshot(response.template_status) : null,
    };
  }

  async templateStatus(classId: string, options: { deadlineMs: number }): Promise<TemplateSnapshot> {
    const { response } = await this.client.getTemplateStatus(classId, { deadlineMs: options.deadlineMs });
    return snapshot(response);
  }

  async readiness(options: { deadlineMs: number }): Promise<boolean> {
    const { response } = await this.client.health('readiness', { deadlineMs: options.deadlineMs });
    return response.status === 'SERVING';
  }

  classify(error: unknown) {
    return classifyFailure(error);
  }

  close(): void {
    this.client.close();
  }
}

function snapshot(status: FaceTemplateStatus): TemplateSnapshot {
  return { available: status.available, featureVectors: status.feature_vectors, enrolled: timestampToIso(status.enrolled) };
}
