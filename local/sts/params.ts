// STS Query-protocol parameters: flat name=value pairs, with lists spelled
// `PolicyArns.member.1.arn`, `Tags.member.1.Key`, `TransitiveTagKeys.member.1`.
export type Params = Map<string, string>;

export interface Tag {
  key?: string;
  value?: string;
}

/** Session inputs shared by GetFederationToken and AssumeRole. */
export interface SessionInputs {
  policy?: string;
  policyArns: string[];
  tags: Tag[];
  transitiveTagKeys: string[];
}

export interface FederationTokenRequest extends SessionInputs {
  name?: string;
  durationSeconds?: string;
}

export interface SessionTokenRequest {
  durationSeconds?: string;
}

export interface AssumeRoleRequest extends SessionInputs {
  roleArn?: string;
  roleSessionName?: string;
  durationSeconds?: string;
  externalId?: string;
  sourceIdentity?: string;
}

/** Member indexes present for `prefix.member.N[.suffix]`, in numeric order. */
function memberIndexes(params: Params, prefix: string): number[] {
  const pattern = new RegExp(`^${prefix}\\.member\\.(\\d+)(?:\\.|$)`);
  const indexes = new Set<number>();
  for (const name of params.keys()) {
    const m = pattern.exec(name);
    if (m) indexes.add(Number(m[1]));
  }
  return [...indexes].sort((a, b) => a - b);
}

export function listParam(params: Params, prefix: string, field?: string): string[] {
  return memberIndexes(params, prefix).map((i) => params.get(`${prefix}.member.${i}${field ? `.${field}` : ''}`) ?? '');
}

export function tagsParam(params: Params): Tag[] {
  return memberIndexes(params, 'Tags').map((i) => ({
    key: params.get(`Tags.member.${i}.Key`),
    value: params.get(`Tags.member.${i}.Value`),
  }));
}

function sessionInputs(params: Params): SessionInputs {
  return {
    policy: params.get('Policy'),
    policyArns: listParam(params, 'PolicyArns', 'arn'),
    tags: tagsParam(params),
    transitiveTagKeys: listParam(params, 'TransitiveTagKeys'),
  };
}

export function federationTokenRequest(params: Params): FederationTokenRequest {
  // GetFederationToken takes Tags but has no TransitiveTagKeys parameter: a stray one is ignored,
  // not counted in the packed size nor recorded.
  return { ...sessionInputs(params), transitiveTagKeys: [], name: params.get('Name'), durationSeconds: params.get('DurationSeconds') };
}

export function sessionTokenRequest(params: Params): SessionTokenRequest {
  return { durationSeconds: params.get('DurationSeconds') };
}

export function assumeRoleRequest(params: Params): AssumeRoleRequest {
  return {
    ...sessionInputs(params),
    roleArn: params.get('RoleArn'),
    roleSessionName: params.get('RoleSessionName'),
    durationSeconds: params.get('DurationSeconds'),
    externalId: params.get('ExternalId'),
    sourceIdentity: params.get('SourceIdentity'),
  };
}
