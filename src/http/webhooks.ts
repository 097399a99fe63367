// `POST /webhooks/pinpoint/:webhookId`: Pinpoint's deliveries, read as a raw body (the signature is
// over the exact bytes) with a size cap, handed to app/webhooks.ts. Answers JSON, never a stack page.
import express, { type Router } from 'express';
import { PINPOINT_WEBHOOK_PATH, receivePinpointWebhook } from '../app/webhooks.js';
import type { Services } from '../services.js';

export function webhookRouter(services: Services): Router {
  const { config, logger, database, secretBox } = services;
  const log = logger.child({ component: 'webhooks' });
  const router = express.Router();
  router.post(
    `${PINPOINT_WEBHOOK_PATH}/:webhookId`,
    // Any content type: Pinpoint's is not documented, and the bytes are what the signature covers.
    express.raw({ type: () => true, limit: config.ats.webhookBodyLimit }),
    async (req, res, next) => {
      try {
        const receipt = await receivePinpointWebhook(
          { db: database.db, secretBox, logger: log },
          {
            webhookId: String(req.params.webhookId),
            rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
            header: (name) => req.header(name),
          },
        );
        if (receipt.status !== 200) {
          log.info({ status: receipt.status }, 'Pinpoint webhook refused');
          res.status(receipt.status).json({ error: receipt.error });
          return;
        }
        res.status(200).json({ received: true, duplicate: receipt.duplicate });
      } catch (error) {
        next(error);
      }
    },
  );
  router.all(`${PINPOINT_WEBHOOK_PATH}/:webhookId`, (_req, res) => {
    res.status(405).set('allow', 'POST').json({ error: 'Webhook endpoints accept POST only.' });
  });
  // Body-reader failures (over the cap, a broken stream) and anything unexpected: JSON, nothing stored.
  router.use(
    PINPOINT_WEBHOOK_PATH,
    (err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
      if (res.headersSent) return next(err);
      const status = (err as { status?: number }).status ?? 500;
      if (status >= 500) log.error({ err }, 'Pinpoint webhook failed unexpectedly');
      const error =
        status === 413
          ? `Body too large (limit ${config.ats.webhookBodyLimit}).`
          : status < 500
            ? 'Malformed request.'
            : 'Internal error; the delivery was not stored, retry later.';
      res.status(Math.min(status, 500)).json({ error });
    },
  );
  return router;
}
