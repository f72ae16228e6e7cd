package org.pshmem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.pshmem.api.ArrayControlLayout.EXTREMES_BYTES;
import static org.pshmem.api.LayoutAssertions.assertDisjointAndAligned;
import static org.pshmem.api.LayoutAssertions.wrongMagic;
import static org.pshmem.api.LayoutAssertions.wrongVersion;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

/** The control block of an array: its regions, and the header a rank checks when it attaches. */
class ArrayControlLayoutTest
{
    @Test
    void regionsAreAlignedAndDisjoint()
    {
        for (final int nodeSize : new int[] {1, 2, 7, 64})
        {
            final int[][] regions = new int[9 + nodeSize][];
            regions[0] = new int[] {0, LayoutHeader.BYTES};
            regions[1] = new int[] {ArrayControlLayout.ARRIVALS, Long.BYTES};
            regions[2] = new int[] {ArrayControlLayout.GENERATION, Long.BYTES};
            regions[3] = new int[] {ArrayControlLayout.TOKEN, Long.BYTES};
            regions[4] = new int[] {ArrayControlLayout.RESULT, EXTREMES_BYTES};
            regions[5] = new int[] {ArrayControlLayout.accumulators(0), EXTREMES_BYTES};
            regions[6] = new int[] {ArrayControlLayout.accumulators(1), EXTREMES_BYTES};
            regions[7] = new int[] {ArrayControlLayout.WRITTEN, Long.BYTES};
            regions[8] = new int[] {ArrayControlLayout.GIVE_WAY, Long.BYTES};
            for (int r = 0; r < nodeSize; r++)
            {
                regions[9 + r] = new int[] {ArrayControlLayout.slot(r), ArrayControlLayout.SLOT_BYTES};
            }
            final int[][] withPayload = java.util.Arrays.copyOf(regions, regions.length + 1);
            withPayload[regions.length] = new int[] {ArrayControlLayout.payload(nodeSize),
                ArrayControlLayout.PAYLOAD_BYTES};
            assertDisjointAndAligned(NodeSync.controlBytes(nodeSize), withPayload);
            assertEquals(ArrayControlLayout.payload(nodeSize) + ArrayControlLayout.PAYLOAD_BYTES,
                NodeSync.controlBytes(nodeSize));
        }
    }

    @Test
    void aSlotHoldsEveryValueOfAReduction()
    {
        assertEquals(ArrayControlLayout.SLOT_BYTES, Long.BYTES * ArrayControlLayout.MAX_VALUES);
    }

    @Test
    void theResultIsOnCacheLinesOfItsOwn()
    {
        assertEquals(0, ArrayControlLayout.RESULT % ArrayControlLayout.LINE_PAIR_BYTES);
        assertEquals(0, ArrayControlLayout.slot(0) % ArrayControlLayout.SLOT_BYTES);
    }

    @Test
    void aControlBlockWithItsTokenPassesTheCheck()
    {
        final ByteBuffer control = ByteBuffer.allocateDirect(NodeSync.controlBytes(3));
        NodeSync.writeToken(control, 42);
        assertNull(NodeSync.attachProblem(control));
        assertEquals(42, NodeSync.readToken(control));
    }

    @Test
    void aControlBlockNotStampedIsRefused()
    {
        final ByteBuffer control = ByteBuffer.allocateDirect(NodeSync.controlBytes(3));
        assertEquals(wrongMagic(ArrayControlLayout.HEADER, 0), NodeSync.attachProblem(control));
    }

    @Test
    void aWrongMagicIsRefused()
    {
        final ByteBuffer control = ByteBuffer.allocateDirect(NodeSync.controlBytes(3));
        NodeSync.writeToken(control, 42);
        new LayoutHeader(0x1234L, 1, "another structure").stamp(new NodeBuffer(control), 0);
        assertEquals(wrongMagic(ArrayControlLayout.HEADER, 0x1234L), NodeSync.attachProblem(control));
        assertEquals("the node memory attached as the control block of an array does not start with its magic " +
            "number 0x5053484d4354524c (found 0x1234): it was made by another program or is not what the " +
            "creating rank described", NodeSync.attachProblem(control));
    }

    @Test
    void aWrongVersionIsRefused()
    {
        final ByteBuffer control = ByteBuffer.allocateDirect(NodeSync.controlBytes(3));
        NodeSync.writeToken(control, 42);
        final LayoutHeader header = ArrayControlLayout.HEADER;
        new LayoutHeader(header.magic(), header.version() + 1, header.what()).stamp(new NodeBuffer(control), 0);
        assertEquals(wrongVersion(ArrayControlLayout.HEADER, ArrayControlLayout.HEADER.version() + 1),
            NodeSync.attachProblem(control));
        final int version = ArrayControlLayout.HEADER.version();
        assertEquals("the control block of an array in node memory has layout version " + (version + 1) +
            " but this rank's pshmem reads version " + version + ": every rank of a job must run the same pshmem",
            NodeSync.attachProblem(control));
    }
}
