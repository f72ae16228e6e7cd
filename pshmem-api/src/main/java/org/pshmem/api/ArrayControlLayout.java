package org.pshmem.api;

/**
 * The control block of an array's node memory, which {@link NodeSync} reads and writes: every offset is here,
 * each derived from the one before it. The creating rank stamps the header with the token; every rank that
 * attaches checks it ({@link NodeSync#attachProblem}) before it reads anything else.
 *
 * <pre>
 *   0             header          {@value LayoutHeader#BYTES} bytes: magic "PSHMCTRL", layout version
 *   ARRIVALS      16              barrier arrivals, 8 bytes
 *   GENERATION    24              barrier generation, 8 bytes
 *   TOKEN         32              the creator's random token, 8 bytes
 *   WRITTEN       40              the number of the last set()/assign() whose copy into this node's memory
 *                                 is complete, 8 bytes: written (release) by the node's copying rank only
 *   GIVE_WAY      48              in a communicator's barrier across nodes: step + 1 once a rank of the node
 *                                 gave way to the endpoint's barrier at that step, so its node-mates follow
 *   RESULT        128             the result across nodes: min then max of each value, 16 * MAX_VALUES bytes,
 *                                 on its own cache lines, away from the barrier's words that every rank writes
 *   ACCUMULATORS  256             two sets of min/max accumulators, each 16 * MAX_VALUES bytes, used in turn
 *   SLOTS         512             one SLOT_BYTES slot per node-rank: the values it gives a reduction
 *   payload(n)    512 + 64 n      length (8 bytes), then up to PAYLOAD_BYTES - 8 bytes: node-rank 0's
 *                                 broadcast, or the message of a mismatch
 *   bytes(n)      payload(n) + PAYLOAD_BYTES
 * </pre>
 *
 * Every word is 8-byte aligned, so it is read and written atomically across the processes of the node.
 */
final class ArrayControlLayout
{
    /** "PSHMCTRL" in ASCII. */
    static final LayoutHeader HEADER = new LayoutHeader(0x5053_484D_4354_524CL, 3, "the control block of an array");

    /** Values one reduction carries; the first is the rank's array call. */
    static final int MAX_VALUES = 8;
    /** Bytes of node-rank 0's payload, its length included. */
    static final int PAYLOAD_BYTES = 1024;
    /** The separation that keeps words written by different ranks off one another's cache lines. */
    static final int LINE_PAIR_BYTES = 128;

    static final int ARRIVALS = LayoutHeader.BYTES;
    static final int GENERATION = ARRIVALS + Long.BYTES;
    static final int TOKEN = GENERATION + Long.BYTES;
    static final int WRITTEN = TOKEN + Long.BYTES;
    static final int GIVE_WAY = WRITTEN + Long.BYTES;
    /** Min then max of each value: 16 bytes per value. */
    static final int EXTREMES_BYTES = 2 * Long.BYTES * MAX_VALUES;
    static final int RESULT = align(GIVE_WAY + Long.BYTES, LINE_PAIR_BYTES);
    static final int ACCUMULATORS = RESULT + EXTREMES_BYTES;
    static final int SLOTS = ACCUMULATORS + 2 * EXTREMES_BYTES;
    static final int SLOT_BYTES = 64;

    private ArrayControlLayout()
    {
    }

    /** @return the set of accumulators number {@code parity} (0 or 1). */
    static int accumulators(final int parity)
    {
        return ACCUMULATORS + EXTREMES_BYTES * parity;
    }

    /** @return the slot of node-rank {@code nodeRank}. */
    static int slot(final int nodeRank)
    {
        return SLOTS + SLOT_BYTES * nodeRank;
    }

    /** @return the payload's length word, for a node of {@code nodeSize} ranks; its bytes follow. */
    static int payload(final int nodeSize)
    {
        return slot(nodeSize);
    }

    /** @return bytes of the control block for a node of {@code nodeSize} ranks. */
    static int bytes(final int nodeSize)
    {
        return payload(nodeSize) + PAYLOAD_BYTES;
    }

    static int align(final int offset, final int alignment)
    {
        return (offset + alignment - 1) & -alignment;
    }
}
