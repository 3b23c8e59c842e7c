import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { isNotifyError } from '@wxnotify/core';
import type { Request, Response } from 'express';
import { GatewayRuntime } from '../runtime.js';
import { ApiError, sendFailure } from './api-error.js';
import { isStoreUnavailable } from '../store/sql-driver.js';

/** Every error leaves as JSON. Only a bug in the gateway itself gives 500. */
@Catch()
export class JsonExceptionFilter implements ExceptionFilter {
  constructor(@Inject(GatewayRuntime) private readonly rt: GatewayRuntime) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    if (exception instanceof ApiError) {
      res.status(exception.status).set(exception.headers).json(exception.body);
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = status === 404 ? 'NOT_FOUND' : status === 405 ? 'METHOD_NOT_ALLOWED' : `HTTP_${status}`;
      const message = status === 404 ? `No route ${req.method} ${this.rt.logger.redactPath(req.path)}.` : exception.message;
      res.status(status).json({ success: false, code, message });
      return;
    }
    if (isNotifyError(exception)) {
      const failure = sendFailure(exception);
      res.status(failure.status).set(failure.headers).json(failure.body);
      return;
    }
    if (isStoreUnavailable(exception)) {
      this.rt.logger.warn('store unavailable', { requestId: res.getHeader('x-request-id') as string, reason: exception.reason });
      res.status(503).set('Retry-After', '5').json({ success: false, code: 'STORE_UNAVAILABLE', message: `存储暂不可用，请稍后重试 (the store is unavailable: ${exception.reason}).`, retryable: true });
      return;
    }
    this.rt.logger.error('unhandled error', { requestId: res.getHeader('x-request-id') as string, error: exception as Error, stack: (exception as Error)?.stack });
    res.status(500).json({ success: false, code: 'INTERNAL', message: 'Internal error (see the gateway log for the request id).' });
  }
}
