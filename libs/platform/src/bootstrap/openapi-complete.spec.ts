import { completeDocument, undocumentedResponses } from './openapi-complete';

const documentWith = (operation: object, schemas: object = {}) => ({ paths: { '/members/{memberId}/balance': { get: operation } }, components: { schemas } });

describe('completing and checking an OpenAPI document', () => {
  it('names an operation whose success response has no body schema', () => {
    const document = completeDocument(documentWith({ responses: { 200: { description: 'the balance' } } }));
    expect(undocumentedResponses(document)).toEqual(['GET /members/{memberId}/balance: 200 has no body schema']);
  });

  it('names an operation with no success response at all', () => {
    expect(undocumentedResponses(documentWith({ responses: { 404: { description: 'x', content: { 'application/json': { schema: {} } } } } }))).toEqual([
      'GET /members/{memberId}/balance: no success response',
    ]);
  });

  it('names an undocumented example and an error without a body when nothing completed them', () => {
    const raw = documentWith({ responses: { 200: { content: { 'application/json': { schema: { type: 'object' } } } }, 409: { description: 'conflict' } } });
    expect(undocumentedResponses(raw)).toEqual([
      'GET /members/{memberId}/balance: 200 has no example',
      'GET /members/{memberId}/balance: 409 has no error body',
    ]);
  });

  it('gives declared refusals the error body with the code their description names, and adds 400, 401 and 403', () => {
    const document = completeDocument(
      documentWith(
        {
          responses: {
            200: { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Balance' } } } },
            404: { description: '`member_not_found`: no such member' },
          },
        },
        { Balance: { type: 'object', properties: { memberId: { type: 'string', example: 'm-1001' }, available: { type: 'integer' } } } },
      ),
    );
    expect(undocumentedResponses(document)).toEqual([]);
    const responses = document.paths['/members/{memberId}/balance'].get.responses;
    const codeOf = (status: number) => responses[status].content['application/json'].example.error;
    expect([400, 401, 403, 404].map(codeOf)).toEqual(['invalid_request', 'unauthorized', 'forbidden', 'member_not_found']);
    expect(responses[200].content['application/json'].example).toEqual({ memberId: 'm-1001', available: 0 });
  });

  it('asks no token of a public operation', () => {
    const document = completeDocument(documentWith({ 'x-tally-public': true, responses: { 200: { description: 'ok' } } }));
    const operation = document.paths['/members/{memberId}/balance'].get;
    expect(operation.security).toEqual([]);
    expect(Object.keys(operation.responses).sort()).toEqual(['200', '400']);
  });
});
