export { keysetPage, mapPage, type KeysetOptions, type Page, type PageRequest } from './keyset-page';
export { CURSOR_VERSION, InvalidCursorException, decodeCursor, encodeCursor } from './page-cursor';
export { PageOf } from './page.dto';
export { PageQuery, type PageQueryOptions } from './page-query.dto';
