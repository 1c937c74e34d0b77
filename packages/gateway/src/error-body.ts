import { BrainerError } from '@brainer/protocol';

/** How both gateways answer a failure: the error's code and a message for people. */
export interface ErrorBody {
  code: string;
  message: string;
}

export function errorBody(error: unknown): ErrorBody {
  if (error instanceof BrainerError) return { code: error.code, message: error.message };
  return { code: 'ERR_INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

export function notFound(key: string): BrainerError {
  return new BrainerError('ERR_NOT_FOUND', `no key ${JSON.stringify(key)}`);
}
