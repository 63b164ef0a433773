// The one structured logger. Never log an event, a body, a key or a credential whole.
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'credvend' });
