import { WebhookAddressGuard } from './webhook-address.guard';

const dns: Record<string, string[]> = {
  'hooks.example.com': ['93.184.215.14'],
  '127.0.0.1.nip.io': ['127.0.0.1'],
  'mixed.example.com': ['93.184.215.14', '10.1.2.3'],
  'internal.corp': ['10.20.30.40'],
  'v6.example.com': ['2606:4700::1111'],
};
const resolver = async (host: string) => {
  if (!dns[host]) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return dns[host];
};

describe(WebhookAddressGuard.name, () => {
  const guard = new WebhookAddressGuard({ allowlist: [], requireHttps: false }, resolver);

  it.each([
    'http://127.0.0.1/hook',
    'http://127.0.0.1.nip.io/hook',
    'http://10.0.0.1/hook',
    'http://172.16.5.4/hook',
    'http://192.168.0.1/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]/hook',
    'http://[::ffff:a9fe:a9fe]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://0.0.0.0/hook',
    'http://[::]/hook',
    'http://100.100.100.200/hook',
    'http://[fd00:ec2::254]/hook',
    'http://[fe80::1]/hook',
    'http://[64:ff9b::a9fe:a9fe]/hook',
    'http://224.0.0.1/hook',
    'http://mixed.example.com/hook',
  ])('should refuse %s when nothing is allowlisted', async (url) => {
    expect(await guard.check(url)).toMatchObject({ code: 'forbidden_address' });
  });

  it('should accept public addresses when the host resolves to them only', async () => {
    expect(await guard.check('https://hooks.example.com/x')).toBeUndefined();
    expect(await guard.check('https://v6.example.com/x')).toBeUndefined();
    expect(await guard.check('http://93.184.215.14:8080/x')).toBeUndefined();
  });

  it('should refuse other schemes, credentials, plain http when https is required, and unknown hosts', async () => {
    expect(await guard.check('ftp://hooks.example.com/x')).toMatchObject({ code: 'invalid_url' });
    expect(await guard.check('not a url')).toMatchObject({ code: 'invalid_url' });
    expect(await guard.check('https://u:p@hooks.example.com/x')).toMatchObject({ code: 'credentials_in_url' });
    expect(await guard.check('https://nowhere.example/x')).toMatchObject({ code: 'unresolvable_host' });
    const strict = new WebhookAddressGuard({ allowlist: [], requireHttps: true }, resolver);
    expect(await strict.check('http://hooks.example.com/x')).toMatchObject({ code: 'https_required' });
  });

  it('should allow private addresses when their CIDR, address or host name is allowlisted', async () => {
    const lenient = new WebhookAddressGuard({ allowlist: ['127.0.0.0/8', '10.20.30.40', 'internal.corp', '::1/128'], requireHttps: false }, resolver);
    expect(await lenient.check('http://127.0.0.1:9000/x')).toBeUndefined();
    expect(await lenient.check('http://[::ffff:127.0.0.9]/x')).toBeUndefined();
    expect(await lenient.check('http://[::1]/x')).toBeUndefined();
    expect(await lenient.check('http://internal.corp/x')).toBeUndefined();
    expect(await lenient.check('http://10.20.30.40/x')).toBeUndefined();
    expect(await lenient.check('http://10.20.30.41/x')).toMatchObject({ code: 'forbidden_address' });
    expect(await lenient.check('http://169.254.169.254/x')).toMatchObject({ code: 'forbidden_address' });
  });

  it('should fail the connection in lookup when the name resolves to a refused address at connect time', async () => {
    const lookup = (host: string, all: boolean) =>
      new Promise<unknown>((resolve, reject) => guard.lookup(host, { all }, (err: unknown, address: unknown) => (err ? reject(err) : resolve(address))));
    await expect(lookup('127.0.0.1.nip.io', false)).rejects.toMatchObject({ code: 'ERR_WEBHOOK_ADDRESS_FORBIDDEN' });
    await expect(lookup('mixed.example.com', true)).rejects.toMatchObject({ code: 'ERR_WEBHOOK_ADDRESS_FORBIDDEN' });
    await expect(lookup('hooks.example.com', false)).resolves.toBe('93.184.215.14');
    await expect(lookup('hooks.example.com', true)).resolves.toEqual([{ address: '93.184.215.14', family: 4 }]);
  });
});
