package org.pshmem.api;

/**
 * The first 16 bytes of every structure pshmem keeps in node memory: a magic number that says which structure
 * it is and a layout version, written by the rank that makes the structure and checked by every rank that
 * attaches, so a rank of another pshmem version (or memory that is not ours) is refused with a message instead
 * of being read as corrupted state.
 *
 * <pre>
 *   0   magic            8 bytes, native order
 *   8   layout version   4 bytes
 *   12  (zero)           4 bytes
 * </pre>
 *
 * @param magic   identifies the structure; never 0 (new memory is zeros).
 * @param version the layout's version; changes whenever an offset or a meaning changes.
 * @param what    the structure, for messages, such as {@code "an array arena chunk"}.
 */
record LayoutHeader(long magic, int version, String what)
{
    /** Bytes of the header; a layout's own fields start here. */
    static final int BYTES = 16;
    private static final int MAGIC_OFFSET = 0;
    private static final int VERSION_OFFSET = 8;

    LayoutHeader
    {
        if (magic == 0)
        {
            throw new IllegalArgumentException("a layout's magic number cannot be 0");
        }
    }

    /** Writes the header at {@code offset}, the magic last with release order, so a reader that sees it sees both. */
    void stamp(final NodeBuffer buffer, final int offset)
    {
        buffer.putInt(offset + VERSION_OFFSET, version);
        buffer.putLongOrdered(offset + MAGIC_OFFSET, magic);
    }

    /** @return why the memory at {@code offset} is not this structure at this version, or null when it is. */
    String problem(final NodeBuffer buffer, final int offset)
    {
        final long foundMagic = buffer.getLongVolatile(offset + MAGIC_OFFSET);
        if (foundMagic != magic)
        {
            return "the node memory attached as " + what + " does not start with its magic number 0x" +
                Long.toHexString(magic) + " (found 0x" + Long.toHexString(foundMagic) + "): it was made by " +
                "another program or is not what the creating rank described";
        }
        final int foundVersion = buffer.getInt(offset + VERSION_OFFSET);
        return foundVersion == version ? null : what + " in node memory has layout version " + foundVersion +
            " but this rank's pshmem reads version " + version + ": every rank of a job must run the same pshmem";
    }
}
