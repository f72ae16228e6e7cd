package org.pshmem.api;

/**
 * The node memory of an {@link OwnedState} whose ranks are all on one node: a header naming the structure (a
 * lock, a counter, a semaphore, a condition, a batch of tasks), the mutex, then the structure's slots, whose
 * meaning the structure's class draws next to its header.
 *
 * <pre>
 *   0          header       {@value LayoutHeader#BYTES} bytes: the structure's magic and layout version
 *   MUTEX      16           0 when free, else 1 + the rank that holds it (compare-and-set), 8 bytes
 *   slot(i)    24 + 8 i     the structure's slot i, 8 bytes, read and written under the mutex
 *   bytes(n)   24 + 8 n
 * </pre>
 *
 * The owner rank stamps the header, a node barrier follows, and every rank checks it; the outcome is agreed, so
 * memory of another structure or version fails on every rank (see {@link OwnedState#create}).
 */
final class OwnedStateLayout
{
    static final int MUTEX = LayoutHeader.BYTES;
    static final int SLOTS = MUTEX + Long.BYTES;
    static final int SLOT_BYTES = Long.BYTES;

    private OwnedStateLayout()
    {
    }

    /** @return the offset of slot {@code index}. */
    static int slot(final int index)
    {
        return SLOTS + SLOT_BYTES * index;
    }

    /** @return bytes of the state of {@code slots} slots. */
    static int bytes(final int slots)
    {
        return slot(slots);
    }

    /** @return {@link #bytes} in longs, as the state's memory is allocated. */
    static int longs(final int slots)
    {
        return bytes(slots) / Long.BYTES;
    }
}
