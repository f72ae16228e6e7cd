package org.pshmem.api;

/**
 * The node memory of a communicator's {@link CallBoard}: a header, then one slot per communicator rank.
 *
 * <pre>
 *   0          header         {@value LayoutHeader#BYTES} bytes: magic "PSHMCALL", layout version
 *   slot(r)    16 + 8 r       the code of communicator rank r's last array call, 8 bytes, native order;
 *                             0 = none yet, or r is on another node (the bits are drawn in CallBoard)
 *   bytes(n)   16 + 8 n
 * </pre>
 *
 * The memory is zeros when the board is made; every rank of this node stamps the header if it finds it unstamped
 * (ranks of one version write the same bytes), then checks it.
 */
final class CallBoardLayout
{
    /** "PSHMCALL" in ASCII. */
    static final LayoutHeader HEADER = new LayoutHeader(0x5053_484D_4341_4C4CL, 1, "the board of array calls");

    static final int SLOTS = LayoutHeader.BYTES;
    static final int SLOT_BYTES = Long.BYTES;

    private CallBoardLayout()
    {
    }

    /** @return the slot of communicator rank {@code rank}. */
    static int slot(final int rank)
    {
        return SLOTS + SLOT_BYTES * rank;
    }

    /** @return bytes of a board for a communicator of {@code ranks} ranks. */
    static int bytes(final int ranks)
    {
        return slot(ranks);
    }
}
