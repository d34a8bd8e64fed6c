import { classifySmtpFailure, createMailTransport } from './mail-transport';

describe('classifySmtpFailure', () => {
  it('should treat the failure as permanent when the reply is 5xx and temporary when it is 4xx', () => {
    expect(classifySmtpFailure(Object.assign(new Error('rejected'), { responseCode: 550, response: '550 5.1.1 no such user' }))).toEqual({ permanent: true, responseCode: 550, message: '550 5.1.1 no such user' });
    expect(classifySmtpFailure(Object.assign(new Error('later'), { responseCode: 451 }))).toMatchObject({ permanent: false, responseCode: 451 });
  });

  it('should treat a failure without a reply as temporary when the connection failed', () => {
    expect(classifySmtpFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' }))).toMatchObject({ permanent: false, message: 'ESOCKET: connect ECONNREFUSED' });
  });

  it('should fail for good when SMTP is not configured', async () => {
    const transport = createMailTransport(undefined, 1);
    expect(transport.configured).toBe(false);
    const err = await transport.send({ from: 'a@x', to: 'b@x', subject: 's', text: 't', html: 'h', messageId: '<m@x>' }).catch((e) => e);
    expect(classifySmtpFailure(err)).toMatchObject({ permanent: true });
  });
});
