/**
 * Named pipes of RPC interfaces with methods that make the server open a path the caller names,
 * and so authenticate to it with its machine account (authentication coercion), as 5145 writes
 * them in `RelativeTargetName` (lower case here; compare ignoring case).
 * Sources: MS-RPRN RpcRemoteFindFirstPrinterChangeNotificationEx (PrinterBug), MS-EFSR
 * EfsRpcOpenFileRaw and friends (PetitPotam, CVE-2021-36942), MS-DFSNM NetrDfsAddStdRoot
 * (DFSCoerce), MS-FSRVP IsPathSupported (ShadowCoerce, CVE-2022-30154).
 */

/** Pipes whose interface is used almost only by print and file-server management: the open is the signal. */
export const COERCIBLE_PIPES: readonly string[] = ['spoolss', 'efsrpc', 'netdfs', 'fssagentrpc'];

/**
 * Pipes MS-EFSR is also bound to (PetitPotam tries `lsarpc` first), shared with interfaces every
 * domain member uses all day (LSA, SAM, Netlogon): the open alone proves nothing.
 */
export const EFSR_SHARED_PIPES: readonly string[] = ['lsarpc', 'samr', 'lsass', 'netlogon'];
