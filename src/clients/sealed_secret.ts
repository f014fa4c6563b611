/** The AAD a client_secret_jwt client's sealed secret is bound to, so a sealed value never opens for another client. */
export const sealedSecretAad = (clientId: string) => `client/${clientId}`
