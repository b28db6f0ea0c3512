import openapiTS, { COMMENT_HEADER, type OpenAPI3, astToString } from 'openapi-typescript';
import ts from 'typescript';

const BLOB = ts.factory.createTypeReferenceNode('Blob');

/**
 * TypeScript types for an OpenAPI document (openapi-typescript), as the
 * client package ships them. Binary fields (uploads) become `Blob`, so a
 * `File` can be passed where the document says `format: binary`.
 */
export async function generateClientTypes(document: object): Promise<string> {
  const ast = await openapiTS(document as OpenAPI3, {
    silent: true,
    transform: (schema) => (schema.format === 'binary' ? BLOB : undefined),
  });
  return `${COMMENT_HEADER}${astToString(ast)}`;
}
