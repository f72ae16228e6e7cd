package org.pshmem.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.junit.jupiter.api.Test;
import org.pshmem.local.LocalJob;

/**
 * Synchronisation through node memory, on ranks run as threads: reductions on one node and across nodes, round
 * after round (the two sets of accumulators take turns), the node barrier, the leader's broadcast, and a rank
 * that fails instead of arriving.
 */
class NodeSyncTest
{
    private static final int ROUNDS = 5;

    /** A fresh control part, as the creator of a segment prepares it. */
    private static ByteBuffer control(final int nodeSize)
    {
        final ByteBuffer control = ByteBuffer.allocateDirect(NodeSync.controlBytes(nodeSize));
        NodeSync.writeToken(control, 42);
        return control;
    }

    /** The sync of this rank: one control part per simulated node (ranks dealt 2 per node). */
    private static NodeSync sync(final Communicator world, final ByteBuffer[] controls, final int nodes)
    {
        if (nodes == 1)
        {
            return new NodeSync(controls[0], world.endpoint(), null, true);
        }
        final Communicator node = world.splitByNode();
        final Communicator leaders = world.split(node.rank() == 0 ? 0 : Communicator.UNDEFINED, world.rank());
        return new NodeSync(controls[world.rank() / 2], node.endpoint(), null == leaders ? null : leaders.endpoint(),
            false);
    }

    @Test
    void theTokenIsReadBack()
    {
        assertEquals(42, NodeSync.readToken(control(2)));
    }

    @Test
    void ranksWaitForTheCopyingRanksWriteOnlyAndSeeWhatItWroteBefore()
    {
        final ByteBuffer control = control(4);
        final java.util.concurrent.atomic.AtomicLongArray seen = new java.util.concurrent.atomic.AtomicLongArray(4);
        final long[] data = new long[ROUNDS];
        LocalJob.run(4, 1, world ->
        {
            final NodeSync sync = sync(world, new ByteBuffer[] {control}, 1);
            for (int round = 0; round < ROUNDS; round++)
            {
                sync.minMax("test", 0); // every set() starts with its agreement
                final long write = sync.nextWrite();
                assertEquals(round + 1, write, "every rank numbers the writes alike");
                final int copier = round % 4;
                if (world.rank() == copier)
                {
                    data[round] = 100 + round; // a plain write, published by the release
                    sync.publishWritten(write);
                }
                else
                {
                    sync.awaitWritten("test", write);
                    seen.addAndGet(world.rank(), data[round]);
                }
            }
        });
        for (int rank = 0; rank < 4; rank++)
        {
            long expected = 0;
            for (int round = 0; round < ROUNDS; round++)
            {
                expected += round % 4 == rank ? 0 : 100 + round;
            }
            assertEquals(expected, seen.get(rank), "rank " + rank + " saw every round's write");
        }
    }

    @Test
    void minMaxOnOneNodeFoldsEveryRankRoundAfterRound()
    {
        assertMinMaxOfFourRanks(1);
    }

    @Test
    void minMaxAcrossNodesFoldsEveryRankRoundAfterRound()
    {
        assertMinMaxOfFourRanks(2);
    }

    private static void assertMinMaxOfFourRanks(final int nodes)
    {
        final ByteBuffer[] controls = {control(4 / nodes), control(4 / nodes)};
        final NodeSync.MinMax[][] results = new NodeSync.MinMax[4][ROUNDS];
        LocalJob.run(4, nodes, world ->
        {
            final NodeSync sync = sync(world, controls, nodes);
            for (int round = 0; round < ROUNDS; round++)
            {
                results[world.rank()][round] = sync.minMax("test", world.rank() + round, -world.rank() * round);
            }
        });
        for (int rank = 0; rank < 4; rank++)
        {
            for (int round = 0; round < ROUNDS; round++)
            {
                final NodeSync.MinMax result = results[rank][round];
                assertArrayEquals(new long[] {round, 3 + round, -3 * round, 0},
                    new long[] {result.min(0), result.max(0), result.min(1), result.max(1)},
                    "rank " + rank + ", round " + round + ", " + nodes + " node(s)");
                assertEquals(round == 0, result.same(1), "value 1 is the same everywhere only in round 0");
            }
        }
    }

    @Test
    void noRankLeavesTheNodeBarrierBeforeEveryRankArrived()
    {
        final AtomicInteger[] arrived = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
        final int[][] seen = new int[4][arrived.length];
        final ByteBuffer control = control(4);
        LocalJob.run(4, world ->
        {
            final NodeSync sync = new NodeSync(control, world.endpoint(), null, true);
            for (int round = 0; round < arrived.length; round++)
            {
                Thread.sleep(world.rank() * 5L); // arrive in turn
                arrived[round].incrementAndGet();
                sync.nodeBarrier("test");
                seen[world.rank()][round] = arrived[round].get();
            }
        });
        for (int rank = 0; rank < 4; rank++)
        {
            assertArrayEquals(new int[] {4, 4, 4}, seen[rank], "rank " + rank);
        }
    }

    @Test
    void eachNodeGetsItsOwnLeadersBytes()
    {
        final ByteBuffer[] controls = {control(2), control(2)};
        final AtomicReferenceArray<String> received = new AtomicReferenceArray<>(4);
        LocalJob.run(4, 2, world ->
        {
            final NodeSync sync = sync(world, controls, 2);
            final byte[] mine = ("leader of node " + world.rank() / 2).getBytes(StandardCharsets.UTF_8);
            received.set(world.rank(), new String(sync.broadcastFromLeader("test", mine), StandardCharsets.UTF_8));
        });
        assertEquals("[leader of node 0, leader of node 0, leader of node 1, leader of node 1]", received.toString());
    }

    @Test
    void aPayloadTooLargeForNodeMemoryIsRefused()
    {
        final ByteBuffer control = control(1);
        final PshmemException failed = assertThrows(PshmemException.class, () -> LocalJob.run(1, world ->
            new NodeSync(control, world.endpoint(), null, true).broadcastFromLeader("test",
                new byte[NodeSync.PAYLOAD_BYTES - 7])));
        assertInstanceOf(IllegalArgumentException.class, failed.getCause());
        assertEquals("test: 1017 bytes do not fit the node payload", failed.getCause().getMessage());
    }

    @Test
    void ranksWaitingForARankThatFailedFailToo()
    {
        final ByteBuffer control = control(3);
        final Throwable[] seen = new Throwable[3];
        final PshmemException failed = assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
            assertThrows(PshmemException.class, () -> LocalJob.run(3, world ->
            {
                final NodeSync sync = new NodeSync(control, world.endpoint(), null, true);
                if (world.rank() == 2)
                {
                    throw new IllegalStateException("rank 2 leaves on purpose");
                }
                try
                {
                    sync.minMax("test", 1);
                }
                catch (final RuntimeException ex)
                {
                    seen[world.rank()] = ex;
                    throw ex;
                }
            })));
        assertEquals("rank 2 leaves on purpose", failed.getCause().getMessage());
        for (int rank = 0; rank < 2; rank++)
        {
            assertInstanceOf(RankFailedException.class, seen[rank], "rank " + rank);
            assertEquals(2, ((RankFailedException)seen[rank]).failedRank(), "rank " + rank);
        }
    }
}
