package org.pshmem.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pshmem.api.Region;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedDoubleArray;
import org.pshmem.spi.SetForwarding;

/**
 * The model of {@code set()} between nodes, counted on the in-process transport with up to 64 simulated nodes of
 * one rank: the bytes the busiest rank sends, over the block's size, and the sequential message steps (a
 * Lamport clock over point-to-point messages), against {@link SetForwarding}'s plan. Counts only, no timing.
 */
class SetForwardingModelTest
{
    /** 4 KiB chunks: 512 doubles. */
    private static final int CHUNK_BYTES = 4096;
    private static final String CHUNK_PROPERTY = "pshmem.setChunkBytes";

    private String savedChunk;

    @BeforeEach
    void smallChunks()
    {
        savedChunk = System.getProperty(CHUNK_PROPERTY);
        System.setProperty(CHUNK_PROPERTY, Integer.toString(CHUNK_BYTES));
    }

    @AfterEach
    void restoreChunks()
    {
        if (null == savedChunk)
        {
            System.clearProperty(CHUNK_PROPERTY);
        }
        else
        {
            System.setProperty(CHUNK_PROPERTY, savedChunk);
        }
    }

    /** One measured set(): its plan, the busiest rank's bytes over the block's, the steps, and by rank the most
     *  receives it had posted ahead at once. */
    private record Counted(SetForwarding plan, double busiestBlocks, long steps, long[] mostPosted)
    {
        @Override
        public String toString()
        {
            return plan + ", busiest " + busiestBlocks + " blocks, " + steps + " steps, posted ahead " +
                java.util.Arrays.toString(mostPosted);
        }
    }

    @Test
    void busiestRankSendsAtMostTwoBlocksAndStepsAreThePlans()
    {
        // 1 chunk (a small set), then 4 chunks (the last one short), from the first and from a middle node.
        for (final int nodes : new int[] {2, 3, 4, 8, 16, 64})
        {
            for (final int elements : new int[] {10, 3 * 512 + 64})
            {
                for (final int writer : new int[] {0, nodes / 2})
                {
                    final Counted counted = count(nodes, elements, writer);
                    final String what = nodes + " nodes, " + elements + " doubles from rank " + writer + ": " +
                        counted;
                    assertTrue(counted.busiestBlocks() <= 2.0, what);
                    assertEquals(counted.plan().busiestBlocks(), counted.busiestBlocks(), 1e-9, what);
                    // The header is one more message on every hop, just ahead of the first chunk.
                    assertEquals(SetForwarding.steps(nodes, counted.plan().chunks() + 1, counted.plan().fanOut()),
                        counted.steps(), what);
                    assertTrue(counted.steps() <= counted.plan().steps() + counted.plan().busiestBlocks() *
                        (long)Math.ceil(Math.log(nodes) / Math.log(2)), what);
                }
            }
        }
    }

    @Test
    void leadersPostTheNextTwoChunksAheadOfTheirCopy()
    {
        for (final int nodes : new int[] {2, 3, 8})
        {
            // 1 chunk, exactly 1 and exactly 2 full chunks, 2 with a short last one, 3 (the buffers' turns end
            // unevenly), and 4 with a short last one.
            for (final int elements : new int[] {10, 512, 1024, 513, 3 * 512, 3 * 512 + 64})
            {
                final int writer = nodes - 1;
                final Counted counted = count(nodes, elements, writer);
                final int chunks = counted.plan().chunks();
                for (int r = 0; r < nodes; r++)
                {
                    // A leader receiving 2+ chunks has chunk c + 1 posted while it forwards and copies chunk c.
                    assertEquals(r == writer ? 0 : Math.min(2, chunks), counted.mostPosted()[r],
                        "rank " + r + " of " + nodes + " nodes, " + elements + " doubles: " + counted);
                }
            }
        }
    }

    @Test
    void chainOnFewNodesTreeOnMany()
    {
        assertEquals(1, count(4, 3 * 512 + 64, 1).plan().fanOut());
        assertEquals(1, count(2, 10, 1).plan().fanOut());
        final Counted small = count(64, 10, 0);
        assertEquals(2, small.plan().fanOut());
        assertEquals(10, small.plan().steps()); // 6 levels, 2 steps a level at most
        assertEquals(12, small.steps()); // and the header ahead of the block: 2 more
    }

    /** Runs one job of {@code nodes} nodes of one rank and counts one set() of {@code elements} doubles. */
    private static Counted count(final int nodes, final int elements, final int writer)
    {
        final long[] before = new long[nodes];
        final long[] after = new long[nodes];
        final long[] steps = new long[1];
        final long[] mostPosted = new long[nodes];
        LocalJob.run(nodes, nodes, world ->
        {
            final LocalJobState job = LocalJobState.current().job;
            final double[] block = new double[elements];
            for (int i = 0; i < elements; i++)
            {
                block[i] = i + 0.5;
            }
            try (SharedDoubleArray shm = SharedArray.ofDoubles(world, elements + 7))
            {
                world.barrier();
                if (world.rank() == 0)
                {
                    job.resetClocks();
                    for (int r = 0; r < nodes; r++)
                    {
                        before[r] = job.sentBytes(r);
                    }
                }
                world.barrier();
                shm.set(world.rank() == writer ? block : null, Region.at(7).size(elements), writer);
                world.barrier();
                if (world.rank() == 0)
                {
                    for (int r = 0; r < nodes; r++)
                    {
                        after[r] = job.sentBytes(r);
                        mostPosted[r] = job.mostPostedReceives(r);
                        steps[0] = Math.max(steps[0], job.clock(r));
                    }
                }
                final double[] seen = new double[elements];
                shm.copyTo(Region.at(7).size(elements), seen);
                assertArrayEquals(block, seen, "rank " + world.rank());
                world.barrier();
            }
        });
        long busiest = 0;
        for (int r = 0; r < nodes; r++)
        {
            busiest = Math.max(busiest, after[r] - before[r]);
        }
        final int chunks = (elements + CHUNK_BYTES / 8 - 1) / (CHUNK_BYTES / 8);
        // The header (a few longs a hop) rides ahead of the chunks; it is not the block's bytes.
        final long headerBytes = 8 * 3;
        final SetForwarding plan = SetForwarding.plan(nodes, chunks);
        final double blocks = (double)(busiest - plan.busiestBlocks() * headerBytes) / (8.0 * elements);
        return new Counted(plan, blocks, steps[0], mostPosted);
    }
}
