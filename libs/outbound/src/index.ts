export { ForbiddenAddressError, WebhookAddressGuard, type AddressProblem, type AddressProblemCode, type WebhookAddressPolicy } from './webhook-address.guard';
