// Whole-packet encoders that get the authenticator order right: Message-Authenticator first,
// over the header as the peer will check it; the (computed) authenticator last, over the final bytes.
import { computeMessageAuthenticator, responseAuthenticator } from './authenticator.js';
import { Attr, Code, HEADER, type RadiusAttribute } from './packet.js';
import { encodePacket } from './serializer.js';

const ZERO_AUTH = Buffer.alloc(16);
// Where the MA value lands when it is the first attribute: after the header and its type/length octets.
const MA_VALUE_OFFSET = HEADER + 2;

export interface ReplySpec {
  code: number;
  identifier: number;
  requestAuthenticator: Buffer;
  /** Without Message-Authenticator: it is added here when messageAuthenticator is true. */
  attributes: RadiusAttribute[];
  secret: Buffer;
  messageAuthenticator: boolean;
}

export interface AccessRequestSpec {
  /** Defaults to Access-Request; Status-Server also uses a random Request Authenticator (RFC 5997). */
  code?: number;
  identifier: number;
  /** 16 random bytes chosen by the caller. */
  authenticator: Buffer;
  attributes: RadiusAttribute[];
  secret: Buffer;
  messageAuthenticator: boolean;
}

export interface ComputedRequestSpec {
  /** Accounting-Request, Disconnect-Request or CoA-Request. */
  code: number;
  identifier: number;
  attributes: RadiusAttribute[];
  secret: Buffer;
  messageAuthenticator: boolean;
}

// Encodes with `authenticator` in the header and, if asked, a Message-Authenticator as the first
// attribute, computed over exactly those bytes (BlastRADIUS: MA first, RFC 3579 3.2 for the value).
function encodeWithMa(
  code: number,
  identifier: number,
  authenticator: Buffer,
  attributes: RadiusAttribute[],
  secret: Buffer,
  withMa: boolean,
): Buffer {
  if (attributes.some((a) => a.type === Attr.MessageAuthenticator)) {
    throw new RangeError('attributes must not contain Message-Authenticator; set messageAuthenticator instead');
  }
  const attrs = withMa ? [{ type: Attr.MessageAuthenticator, value: ZERO_AUTH }, ...attributes] : attributes;
  const buf = encodePacket({ code, identifier, authenticator, attributes: attrs });
  if (withMa) computeMessageAuthenticator(buf, MA_VALUE_OFFSET, secret).copy(buf, MA_VALUE_OFFSET);
  return buf;
}

/**
 * Access-Accept/-Reject/-Challenge, Accounting-Response, Disconnect/CoA ACK/NAK. The MA is computed
 * with the Request Authenticator in the header; the Response Authenticator then covers the MA.
 */
export function encodeReply(spec: ReplySpec): Buffer {
  if (spec.requestAuthenticator.length !== 16) throw new RangeError('request authenticator must be 16 bytes');
  const buf = encodeWithMa(
    spec.code,
    spec.identifier,
    spec.requestAuthenticator,
    spec.attributes,
    spec.secret,
    spec.messageAuthenticator,
  );
  responseAuthenticator(buf, spec.secret).copy(buf, 4);
  return buf;
}

/** Access-Request or Status-Server as a NAS sends it (tests, load generator). */
export function encodeAccessRequest(spec: AccessRequestSpec): Buffer {
  return encodeWithMa(
    spec.code ?? Code.AccessRequest,
    spec.identifier,
    spec.authenticator,
    spec.attributes,
    spec.secret,
    spec.messageAuthenticator,
  );
}

/**
 * Accounting-Request, Disconnect-Request, CoA-Request (RFC 2866 3, RFC 5176 3.5): the MA is computed
 * with the authenticator field zeroed, then Request Authenticator = MD5(packet with zeros | secret).
 */
export function encodeComputedRequest(spec: ComputedRequestSpec): Buffer {
  const buf = encodeWithMa(spec.code, spec.identifier, ZERO_AUTH, spec.attributes, spec.secret, spec.messageAuthenticator);
  responseAuthenticator(buf, spec.secret).copy(buf, 4);
  return buf;
}
