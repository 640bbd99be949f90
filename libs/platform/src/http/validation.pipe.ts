import { HttpStatus, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, flattenValidationErrors } from '@tally/contracts';
import { AppError } from './app.error';

const describe = (fields: FieldError[]): string => `invalid request: ${fields.map((f) => `${f.field}: ${f.problems.join('; ')}`).join(', ')}`;

/** 400 `invalid_request` with every field's problems; nested fields as dotted paths (`lines.0.sku`). */
export const invalidRequest = (errors: ValidationError[]): AppError => {
  const fields = flattenValidationErrors(errors).map((f) => ({ ...f, field: f.field === '' ? '(body)' : f.field }));
  return new AppError({ status: HttpStatus.BAD_REQUEST, error: 'invalid_request', message: describe(fields), fields });
};

/**
 * Unknown properties are stripped, not refused: a newer client may send optional fields an older
 * service does not know yet (contracts only grow by adding).
 */
export const createValidationPipe = (): ValidationPipe =>
  new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: invalidRequest,
  });
