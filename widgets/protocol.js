// @ts-check
// The widget's messages as JSDoc types: a mirror of fo_lite/session/messages.py (same names,
// same keys; tests/test_session_messages.py checks). docs/protocol.md says who sends what.

/**
 * The anywidget model, as far as the grid uses it.
 * @typedef {{
 *   get(name: string): any,
 *   set(name: string, value: any): void,
 *   save_changes(): void,
 *   on(event: string, callback: Function): void,
 *   off(event?: string, callback?: Function): void,
 *   send(content: object, callbacks?: object, buffers?: ArrayBuffer[]): void,
 * }} Model
 */

/**
 * @typedef {string|boolean|null} Scalar
 */

/**
 * @typedef {object} Constants
 * @property {string} session
 * @property {number} page_rows
 * @property {number} max_page
 * @property {number} max_flags
 * @property {number} min_tile
 * @property {number} max_tile
 */

/**
 * @typedef {object} GridState
 * @property {number} version
 * @property {number} view_serial
 * @property {number} length
 * @property {string} dataset_name
 * @property {Array<{_stage?: string}>} view
 * @property {number} selected_count
 * @property {boolean} showing_selected
 * @property {boolean} filtered
 * @property {boolean} grouped
 * @property {string|null} group_by
 */

/**
 * @typedef {object} SelectionSummary
 * @property {number} count
 * @property {number} revision
 */

// ---- grid -> Python: requests

/**
 * @typedef {object} PageRequest
 * @property {"page"} type
 * @property {string} request_id
 * @property {number} version
 * @property {number} start
 * @property {number} stop
 * @property {boolean} inline
 */

/**
 * @typedef {object} FlagsRequest
 * @property {"flags"} type
 * @property {string} request_id
 * @property {number} version
 * @property {number} start
 * @property {number} stop
 */

/**
 * @typedef {object} GroupsRequest
 * @property {"groups"} type
 * @property {string} request_id
 * @property {number} version
 * @property {boolean} inline
 */

/**
 * @typedef {object} DetailRequest
 * @property {"detail"} type
 * @property {string} request_id
 * @property {number} version
 * @property {string|null} id
 * @property {number|null} index
 * @property {number} width
 * @property {number} height
 * @property {boolean} inline
 */

/**
 * @typedef {object} SidebarRequest
 * @property {"sidebar"} type
 * @property {string} request_id
 * @property {number} version
 */

// ---- grid -> Python: gestures

/**
 * @typedef {object} Toggle
 * @property {"toggle"} type
 * @property {string} client
 * @property {number} seq
 * @property {number} version
 * @property {number} index
 * @property {string|null} id
 */

/**
 * @typedef {object} Range
 * @property {"range"} type
 * @property {string} client
 * @property {number} seq
 * @property {number} version
 * @property {number} start
 * @property {number} stop
 */

/**
 * @typedef {object} SelectAll
 * @property {"select-all"} type
 * @property {string} client
 * @property {number} seq
 */

/**
 * @typedef {object} Clear
 * @property {"clear"} type
 * @property {string} client
 * @property {number} seq
 */

/**
 * @typedef {object} ShowSelected
 * @property {"show-selected"} type
 * @property {string} client
 * @property {number} seq
 */

/**
 * @typedef {object} Filter
 * @property {"filter"} type
 * @property {string} client
 * @property {number} seq
 * @property {string} field
 * @property {Scalar[]} values
 */

/**
 * @typedef {object} ClearFilters
 * @property {"clear-filters"} type
 * @property {string} client
 * @property {number} seq
 */

/**
 * @typedef {object} Tag
 * @property {"tag"} type
 * @property {string} client
 * @property {number} seq
 * @property {string[]} tags
 * @property {boolean} remove
 */

/**
 * @typedef {object} GroupAction
 * @property {"group-action"} type
 * @property {string} client
 * @property {number} seq
 * @property {number} version
 * @property {number} start
 * @property {string} action
 */

// ---- Python -> grid

/**
 * @typedef {object} GroupHead
 * @property {number} start
 * @property {number} count
 * @property {string|null} text
 * @property {string|null} note
 * @property {string[][]} actions
 */

/**
 * @typedef {object} PageReply
 * @property {"page"} type
 * @property {string|null} request_id
 * @property {number} version
 * @property {number} start
 * @property {number} stop
 * @property {number} length
 * @property {string[]} ids
 * @property {(string|null)[]} labels
 * @property {(string|null)[]} fields
 * @property {string[][]} tags
 * @property {boolean[]} selected
 * @property {(number|null)[]} thumbs
 * @property {(string|null)[]} mimes
 * @property {(string|null)[]} broken
 * @property {(string|null)[]} marks
 * @property {(string|null)[]} notes
 * @property {GroupHead[]} heads
 * @property {string[]|null} b64
 */

/**
 * @typedef {object} GroupsReply
 * @property {"groups"} type
 * @property {string|null} request_id
 * @property {number} version
 * @property {number} count
 * @property {number} starts
 * @property {string[]|null} b64
 */

/**
 * @typedef {object} FlagsReply
 * @property {"flags"} type
 * @property {string} request_id
 * @property {number} version
 * @property {number} start
 * @property {string[]} ids
 * @property {boolean[]} selected
 */

/**
 * @typedef {object} DetailReply
 * @property {"detail"} type
 * @property {string} request_id
 * @property {number} version
 * @property {string} id
 * @property {number} index
 * @property {string|null} label
 * @property {boolean} selected
 * @property {string[][]} fields
 * @property {number|null} image
 * @property {string|null} mime
 * @property {string|null} broken
 * @property {string[]|null} b64
 */

/**
 * @typedef {object} SidebarField
 * @property {string} path
 * @property {"values"|"bounds"} kind
 * @property {Array<[Scalar, number]>} values
 * @property {number} more
 * @property {Scalar[]} active
 * @property {(string|null)[]|null} bounds
 */

/**
 * @typedef {object} SidebarReply
 * @property {"sidebar"} type
 * @property {string} request_id
 * @property {number} version
 * @property {SidebarField[]} fields
 */

/**
 * @typedef {object} StaleReply
 * @property {"stale"} type
 * @property {string} request_id
 * @property {number} version
 */

/**
 * @typedef {object} ErrorReply
 * @property {"error"} type
 * @property {string} request_id
 * @property {string} message
 */

/**
 * @typedef {object} Ack
 * @property {string} client
 * @property {number} seq
 */

/**
 * @typedef {object} SelectionChanged
 * @property {"selection"} type
 * @property {number} count
 * @property {number} revision
 * @property {string[]} added
 * @property {string[]} removed
 * @property {boolean} reset
 * @property {Ack|null} ack
 */

/**
 * @typedef {object} Done
 * @property {"done"} type
 * @property {Ack|null} ack
 * @property {string|null} message
 */

/**
 * @typedef {object} Snapshot
 * @property {GridState} state
 * @property {PageReply|null} page
 * @property {number} px
 */

/**
 * Any message Python sends.
 * @typedef {PageReply|GroupsReply|FlagsReply|DetailReply|SidebarReply|StaleReply|ErrorReply|SelectionChanged|Done} Incoming
 */

export {};
