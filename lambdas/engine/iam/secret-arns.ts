/**
 * The IAM resource for `secretsmanager:GetSecretValue` on a secret a TriggerAuthentication names.
 * Secrets Manager appends a hyphen and six random characters to every secret's ARN, so a secret
 * named by its name (or by a partial ARN without that suffix) is granted as `<name>-??????`: that
 * secret and no other, as AWS's own policy examples do. Pure.
 */
const FULL_ARN_SUFFIX = /-[A-Za-z0-9]{6}$/;

export function secretArnPattern(secretId: string, where: { region: string; account: string; partition: string }): string {
  if (secretId.startsWith('arn:')) return FULL_ARN_SUFFIX.test(secretId) ? secretId : `${secretId}-??????`;
  return `arn:${where.partition}:secretsmanager:${where.region}:${where.account}:secret:${secretId}-??????`;
}
