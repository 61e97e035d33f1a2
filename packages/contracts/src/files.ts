// Mailgrid extra: attachment files uploaded once (POST /files) and named by id in any send
// (`attachments: [{ file_id }]`), plus GET /files, GET/DELETE /files/:id. Also the attachment rules
// every attachment obeys, uploaded or sent inline: the extensions SES and Resend refuse, and
// executables whatever their name.
import * as v from 'valibot';
import type { Caller } from './caller';
import { pageQuery, UuidId } from './paging';
import type { RpcResult } from './rpc-result';
import { DeletedRef, ListOf } from './shapes';
import { NoControlChars } from './text';

/**
 * One file's limit: its base64 must fit in one 40 MiB message (EMAIL_LIMITS.message_bytes), so 30 MiB
 * of bytes. (It also stays under Workers RPC's 32 MiB message cap between gateway and admin.)
 */
export const FILE_MAX_BYTES = 30 * 1024 * 1024;

/** The attachment extensions SES will not send (Resend refuses the same list). */
export const BLOCKED_ATTACHMENT_EXTENSIONS: ReadonlySet<string> = new Set(
  (
    'adp app asp bas bat cer chm cmd com cpl crt csh der exe fxp gadget hlp hta inf ins isp its ' +
    'js jse ksh lib lnk mad maf mag mam maq mar mas mat mau mav maw mda mdb mde mdt mdw mdz msc ' +
    'msh msh1 msh2 mshxml msh1xml msh2xml msi msp mst ops pcd pif plg prf prg reg scf scr sct ' +
    'shb shs sys ps1 ps1xml ps2 ps2xml psc1 psc2 tmp url vb vbe vbs vps vsmacros vss vst vsw vxd ' +
    'ws wsc wsf wsh xnk'
  ).split(' '),
);

/**
 * Why this attachment may not be sent, or null: a refused extension, or bytes that start like a
 * Windows (MZ), Linux (ELF) or macOS (Mach-O) executable, renamed or not. `head` is the first bytes
 * (8 are enough).
 */
export function attachmentProblem(filename: string, head: Uint8Array): string | null {
  const dot = filename.lastIndexOf('.');
  const extension = dot >= 0 ? filename.slice(dot + 1).toLowerCase() : '';
  if (BLOCKED_ATTACHMENT_EXTENSIONS.has(extension)) {
    return `.${extension} files cannot be sent as attachments (SES refuses them); zip it or share a link instead`;
  }
  const starts = (...bytes: number[]) => bytes.every((byte, index) => head[index] === byte);
  if (
    starts(0x4d, 0x5a) || // MZ: Windows PE
    starts(0x7f, 0x45, 0x4c, 0x46) || // ELF
    starts(0xcf, 0xfa, 0xed, 0xfe) || // Mach-O 64-bit
    starts(0xce, 0xfa, 0xed, 0xfe) ||
    starts(0xfe, 0xed, 0xfa, 0xcf) ||
    starts(0xfe, 0xed, 0xfa, 0xce)
  ) {
    return 'executable programs cannot be sent as attachments';
  }
  return null;
}

const CONTENT_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  txt: 'text/plain',
  csv: 'text/csv',
  html: 'text/html',
  ics: 'text/calendar',
  json: 'application/json',
  zip: 'application/zip',
};

/** The media type of an attachment given without one, from its extension. */
export function guessContentType(filename: string): string {
  const extension = filename.slice(filename.lastIndexOf('.') + 1).toLowerCase();
  return CONTENT_TYPES[extension] ?? 'application/octet-stream';
}

const NO_NEWLINES = /^[^\r\n]*$/;

const Filename = v.pipe(
  v.string(),
  NoControlChars,
  v.trim(),
  v.minLength(1, 'filename must not be empty'),
  v.maxLength(255, 'filename is at most 255 characters'),
  v.regex(NO_NEWLINES, 'filename must not contain line breaks'),
  v.regex(/^[^/\\]*$/, 'filename must not contain / or \\'),
);

const ContentType = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.regex(
    /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/,
    'content_type must be a media type, e.g. application/pdf',
  ),
);

/** The JSON form of an upload: base64 content, as an attachment in a send. */
export const UploadFileRequest = v.strictObject({
  filename: Filename,
  content: v.pipe(v.string(), v.minLength(1, 'content must not be empty')),
  content_type: v.optional(ContentType),
});
export type UploadFileRequest = v.InferOutput<typeof UploadFileRequest>;

/** The raw form's name and type, from `?filename=` / Content-Disposition and Content-Type. */
export const RawUploadMeta = v.object({
  filename: Filename,
  content_type: v.nullable(ContentType),
});

/** What the gateway hands admin: the bytes, whichever form they came in. */
export interface FileUpload {
  filename: string;
  /** Null: guessed from the filename. */
  content_type: string | null;
  content: Uint8Array;
}

export const ListFilesQuery = pageQuery(UuidId('a file'));
export type ListFilesQuery = v.InferOutput<typeof ListFilesQuery>;

export const FileObject = v.pipe(
  v.object({
    object: v.literal('file'),
    id: v.string(),
    filename: v.string(),
    content_type: v.string(),
    /** Bytes. */
    size: v.number(),
    /** Hex SHA-256 of the bytes. */
    sha256: v.string(),
    created_at: v.string(),
  }),
  v.title('FileObject'),
  v.description('An uploaded attachment file, sent by naming its id in `attachments: [{ file_id }]`.'),
);
export type FileObject = v.InferOutput<typeof FileObject>;

export const FileList = v.pipe(ListOf(FileObject), v.title('FileList'), v.description('A page of files.'));
export type FileList = v.InferOutput<typeof FileList>;

export const DeletedFile = DeletedRef('file');
export type DeletedFile = v.InferOutput<typeof DeletedFile>;

export interface FilesAdminRpc {
  /** Refused: empty, over FILE_MAX_BYTES (payload_too_large), a blocked type (invalid_attachment). */
  uploadFile(caller: Caller, upload: FileUpload): Promise<RpcResult<FileObject>>;
  listFiles(caller: Caller, query: ListFilesQuery): Promise<RpcResult<FileList>>;
  getFile(caller: Caller, id: string): Promise<RpcResult<FileObject>>;
  /** Emails already accepted with the file keep their copy and still send. */
  deleteFile(caller: Caller, id: string): Promise<RpcResult<DeletedFile>>;
}
