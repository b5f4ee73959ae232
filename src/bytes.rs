//! Searching byte strings: page slots, container headers and file signatures are all found this way.

/// Where `needle` first occurs in `haystack`. Vectorised: a signed-in page is searched for its
/// slots on every request.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}
