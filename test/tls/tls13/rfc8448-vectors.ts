// RFC 8448 "Example Handshake Traces for TLS 1.3" test vectors for the TLS 1.3 key schedule
// (TLS_AES_128_GCM_SHA256, so every hash is SHA-256 and every secret is 32 octets).
//
// Source: RFC 8448 section 3 ("Simple 1-RTT Handshake") and section 4 ("Resumed 0-RTT Handshake").
// No stored copy of the RFC text itself could be found, so the values were read from the text of
// draft-ietf-tls-tls13-vectors-07 (the final draft published as RFC 8448; the ClientHello is
// 196 octets there, as in the RFC): file draft-ietf-tls-tls13-vectors-07.txt in the GitHub
// repository ysoftwareab/know-your-ietf-well, commit ddc9a8256a5db4bf32d7bdc2f0f26e929ecda4b2.
// They were cross-checked against published RFC 8448 quotations: the section 4 ClientHello
// (512 octets), PSK and early secret quoted from tools.ietf.org/rfc/rfc8448 in an s2n-tls unit
// test, and the section 3 ClientHello in a test that cites rfc8448#section-3.
//
// Every value below was also recomputed from its inputs with node:crypto (X25519, SHA-256,
// HKDF-Extract, HKDF-Expand-Label, HMAC) and matched the trace; see the notes on each object.
// Lowercase hex, no separators. Long values are split over lines only for readability.

/**
 * RFC 8448 section 3, "Simple 1-RTT Handshake".
 *
 * Handshake messages are complete: 4-octet header (type, uint24 length) plus body.
 * The key schedule: earlySecret = HKDF-Extract(0, 0); derivedForHandshake = Derive-Secret(earlySecret,
 * "derived", ""); handshakeSecret = HKDF-Extract(derivedForHandshake, sharedSecret); the traffic
 * secrets use Transcript-Hash(ClientHello || ServerHello) = helloHash; masterSecret =
 * HKDF-Extract(Derive-Secret(handshakeSecret, "derived", ""), 0).
 */
export const SIMPLE_1RTT = {
  /** {client} create an ephemeral x25519 key pair: private key (32 octets) */
  clientPrivateKey: '49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005',
  /** {client} create an ephemeral x25519 key pair: public key (32 octets) */
  clientPublicKey: '99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c',
  /** {client} construct a ClientHello handshake message; header 01 00 00 c0, a 192-octet body (196 octets) */
  clientHello:
    '010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef'
    + '6283024dece7000006130113031302010000910000000b000900000673657276'
    + '6572ff01000100000a00140012001d0017001800190100010101020103010400'
    + '230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e'
    + '51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603'
    + '020308040805080604010501060102010402050206020202002d00020101001c'
    + '00024001',
  /** {server} create an ephemeral x25519 key pair: private key (32 octets) */
  serverPrivateKey: 'b1580eeadf6dd589b8ef4f2d5652578cc810e9980191ec8d058308cea216a21e',
  /** {server} create an ephemeral x25519 key pair: public key (32 octets) */
  serverPublicKey: 'c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f',
  /** {server} construct a ServerHello handshake message (90 octets) */
  serverHello:
    '020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155'
    + '772ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdb'
    + 'f7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304',
  /** {server} extract secret "early": secret (32 octets) */
  earlySecret: '33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a',
  /** {server} derive secret for handshake "tls13 derived": expanded (32 octets) */
  derivedForHandshake: '6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba',
  /** {server} extract secret "handshake": IKM, the (EC)DHE shared secret (32 octets) */
  sharedSecret: '8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d',
  /** {server} extract secret "handshake": secret (32 octets) */
  handshakeSecret: '1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac',
  /** {server} derive secret "tls13 c hs traffic": hash, i.e. SHA-256(ClientHello || ServerHello) (32 octets) */
  helloHash: '860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8',
  /** {server} derive secret "tls13 c hs traffic": expanded (32 octets) */
  clientHandshakeTrafficSecret: 'b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21',
  /** {server} derive secret "tls13 s hs traffic": expanded (32 octets) */
  serverHandshakeTrafficSecret: 'b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38',
  /** {server} derive secret for master "tls13 derived": expanded (32 octets) */
  derivedForMaster: '43de77e0c77713859a944db9db2590b53190a65b3ee2e4f12dd7a0bb7ce254b4',
  /** {server} extract secret "master": secret (32 octets) */
  masterSecret: '18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919',
  /** {server} derive write traffic keys for handshake data: key expanded (16 octets) */
  serverHandshakeKey: '3fce516009c21727d0f2e4e86ee403bc',
  /** {server} derive write traffic keys for handshake data: iv expanded (12 octets) */
  serverHandshakeIv: '5d313eb2671276ee13000b30',
  /** {server} calculate finished "tls13 finished": expanded, the server finished_key (32 octets) */
  serverFinishedKey: '008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8',
  /**
   * Transcript-Hash(ClientHello..CertificateVerify), the input of the server Finished: SHA-256 of
   * clientHello || serverHello || the trace's EncryptedExtensions, Certificate and CertificateVerify
   * (computed from the trace's 657-octet server flight without its Finished).
   */
  certificateVerifyHash: 'edb7725fa7a3473b031ec8ef65a2485493900138a2b91291407d7951a06110ed',
  /** {server} calculate finished "tls13 finished": finished, the server Finished verify_data (32 octets) */
  serverFinishedVerifyData: '9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718',
  /** {server} derive secret "tls13 c ap traffic": hash, i.e. the transcript hash through the server Finished (32 octets) */
  serverFinishedHash: '9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13',
  /** {server} derive secret "tls13 c ap traffic": expanded (32 octets) */
  clientApplicationTrafficSecret: '9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5',
  /** {server} derive secret "tls13 s ap traffic": expanded (32 octets) */
  serverApplicationTrafficSecret: 'a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643',
  /** {server} derive secret "tls13 exp master": expanded (32 octets) */
  exporterMasterSecret: 'fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50',
  /** {client} derive secret "tls13 res master": expanded (32 octets) */
  resumptionMasterSecret: '7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c',
  /** {server} generate resumption secret "tls13 resumption": hash, the NewSessionTicket ticket_nonce (2 octets) */
  ticketNonce: '0000',
  /** {server} generate resumption secret "tls13 resumption": expanded, the PSK used in section 4 (32 octets) */
  psk: '4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3',
} as const;

/**
 * RFC 8448 section 4, "Resumed 0-RTT Handshake" (resumes SIMPLE_1RTT with its PSK).
 *
 * earlySecret = HKDF-Extract(0, psk); binderKey = Derive-Secret(earlySecret, "res binder", "");
 * binderFinishedKey = HKDF-Expand-Label(binderKey, "finished", "", 32);
 * binder = HMAC-SHA256(binderFinishedKey, SHA-256(truncatedClientHello)).
 * truncatedClientHello is the ClientHello up to but excluding the binders list; its length field
 * (01 00 01 fc) already counts the binders. The full ClientHello (512 octets) is
 * truncatedClientHello || '002120' || binder.
 */
export const RESUMED_0RTT = {
  /** {server} generate resumption secret "tls13 resumption" of section 3: expanded; section 4 "early" IKM (32 octets) */
  psk: '4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3',
  /** {client} extract secret "early": secret (32 octets) */
  earlySecret: '9b2188e9b2fc6d64d71dc329900e20bb41915000f678aa839cbb797cb7d8332c',
  /** {client} calculate PSK binder: ClientHello prefix, the truncated ClientHello (477 octets) */
  truncatedClientHello:
    '010001fc03031bc3ceb6bbe39cff938355b5a50adb6db21b7a6af649d7b4bc41'
    + '9d7876487d95000006130113031302010001cd0000000b000900000673657276'
    + '6572ff01000100000a00140012001d0017001800190100010101020103010400'
    + '3300260024001d0020e4ffb68ac05f8d96c99da26698346c6be16482badddafe'
    + '051a66b4f18d668f0b002a0000002b0003020304000d0020001e040305030603'
    + '020308040805080604010501060102010402050206020202002d00020101001c'
    + '0002400100150057000000000000000000000000000000000000000000000000'
    + '0000000000000000000000000000000000000000000000000000000000000000'
    + '0000000000000000000000000000000000000000000000000000000000000000'
    + '2900dd00b800b22c035d829359ee5ff7af4ec900000000262a6494dc486d2c8a'
    + '34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097a3a98211'
    + '7283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d454a3'
    + '664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529513e3da2677fa5906c5b'
    + '3f7d8f92f228bda40dda721470f9fbf297b5aea617646fac5c03272e970727c6'
    + '21a79141ef5f7de6505e5bfbc388e93343694093934ae4d357fad6aacb',
  /** {client} calculate PSK binder: binder hash, i.e. SHA-256(truncatedClientHello) (32 octets) */
  binderHash: '63224b2e4573f2d3454ca84b9d009a04f6be9e05711a8396473aefa01e924a14',
  /** {client} calculate PSK binder: PRK, the binder key (Derive-Secret(earlySecret, "res binder", "")) (32 octets) */
  binderKey: '69fe131a3bbad5d63c64eebcc30e395b9d8107726a13d074e389dbc8a4e47256',
  /** {client} calculate PSK binder: expanded, the binder finished_key (32 octets) */
  binderFinishedKey: '5588673e72cb59c87d220caffe94f2dea9a3b1609f7d50e90a48227db9ed7eaa',
  /** {client} calculate PSK binder: finished, the binder (32 octets) */
  binder: '3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d',
  /** {client} send handshake record: payload, the complete ClientHello with its binders (512 octets) */
  clientHello:
    '010001fc03031bc3ceb6bbe39cff938355b5a50adb6db21b7a6af649d7b4bc41'
    + '9d7876487d95000006130113031302010001cd0000000b000900000673657276'
    + '6572ff01000100000a00140012001d0017001800190100010101020103010400'
    + '3300260024001d0020e4ffb68ac05f8d96c99da26698346c6be16482badddafe'
    + '051a66b4f18d668f0b002a0000002b0003020304000d0020001e040305030603'
    + '020308040805080604010501060102010402050206020202002d00020101001c'
    + '0002400100150057000000000000000000000000000000000000000000000000'
    + '0000000000000000000000000000000000000000000000000000000000000000'
    + '0000000000000000000000000000000000000000000000000000000000000000'
    + '2900dd00b800b22c035d829359ee5ff7af4ec900000000262a6494dc486d2c8a'
    + '34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097a3a98211'
    + '7283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d454a3'
    + '664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529513e3da2677fa5906c5b'
    + '3f7d8f92f228bda40dda721470f9fbf297b5aea617646fac5c03272e970727c6'
    + '21a79141ef5f7de6505e5bfbc388e93343694093934ae4d357fad6aacb002120'
    + '3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d',
} as const;
