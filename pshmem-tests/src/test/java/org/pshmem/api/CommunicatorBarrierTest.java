package org.pshmem.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.pshmem.local.LocalJob;
import org.pshmem.spi.CommEndpoint;

/**
 * {@code barrier()} in node memory, on ranks run as threads: it holds every rank until all came, round after
 * round; the first barrier makes the node segment; a mismatch with a collective of the endpoint fails on every
 * rank with the steps; a rank that leaves is named; an interrupt is kept; across nodes too (node leaders only
 * exchange messages).
 */
class CommunicatorBarrierTest
{
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @Test
    void theNodeSyncBarrierHoldsEveryRankRoundAfterRound()
    {
        final AtomicInteger[] arrived = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
        final int[][] seen = new int[4][arrived.length];
        final ByteBuffer control = ByteBuffer.allocateDirect(NodeSync.controlBytes(4));
        NodeSync.writeToken(control, 42);
        LocalJob.run(4, world ->
        {
            final NodeSync sync = new NodeSync(control, world.endpoint(), null, true);
            for (int round = 0; round < arrived.length; round++)
            {
                Thread.sleep(world.rank() * 5L); // arrive in turn
                arrived[round].incrementAndGet();
                assertTrue(sync.communicatorBarrier("barrier() (step " + round + ")"));
                seen[world.rank()][round] = arrived[round].get();
            }
        });
        for (int rank = 0; rank < 4; rank++)
        {
            assertArrayEquals(new int[] {4, 4, 4}, seen[rank], "rank " + rank);
        }
    }

    @Test
    void barriersAfterTheFirstWaitInNodeMemoryAndHoldEveryRank()
    {
        final int rounds = 50;
        final AtomicInteger[] arrived = new AtomicInteger[rounds];
        for (int round = 0; round < rounds; round++)
        {
            arrived[round] = new AtomicInteger();
        }
        final int[][] seen = new int[3][rounds];
        final boolean[] boardBefore = new boolean[3];
        final boolean[] boardAfter = new boolean[3];
        assertTimeoutPreemptively(LIMIT, () -> LocalJob.run(3, world ->
        {
            boardBefore[world.rank()] = null != world.callBoard();
            world.barrier(); // the first: through the endpoint, then makes the node segment
            boardAfter[world.rank()] = null != world.callBoard();
            for (int round = 0; round < rounds; round++)
            {
                if (round % 10 == world.rank())
                {
                    Thread.sleep(2);
                }
                arrived[round].incrementAndGet();
                world.barrier();
                seen[world.rank()][round] = arrived[round].get();
            }
            assertEquals(6, world.allReduce(world.rank() + 1, ReduceOp.SUM)); // the steps still match
        }));
        for (int rank = 0; rank < 3; rank++)
        {
            assertEquals(false, boardBefore[rank]);
            assertEquals(true, boardAfter[rank]);
            for (int round = 0; round < rounds; round++)
            {
                assertEquals(3, seen[rank][round], "rank " + rank + ", round " + round);
            }
        }
    }

    @Test
    void aBarrierAgainstAnAllReduceFailsOnEveryRankNamingTheSteps()
    {
        final Throwable[] seen = new Throwable[3];
        final PshmemException failed = assertTimeoutPreemptively(LIMIT, () ->
            assertThrows(PshmemException.class, () -> LocalJob.run(3, world ->
            {
                world.barrier();
                world.barrier();
                try
                {
                    if (world.rank() == 0)
                    {
                        world.barrier();
                    }
                    else
                    {
                        world.allReduce(world.rank(), ReduceOp.SUM);
                    }
                }
                catch (final RuntimeException ex)
                {
                    seen[world.rank()] = ex;
                    throw ex;
                }
            })));
        assertNotNull(failed.getMessage());
        for (int rank = 0; rank < 3; rank++)
        {
            assertInstanceOf(PshmemException.class, seen[rank], "rank " + rank);
            final String message = seen[rank].getMessage();
            assertTrue(message.startsWith("collectives do not match at step ") &&
                message.endsWith(" of the world communicator: rank 0 called barrier(), ranks 1-2 called " +
                "allReduce(int, SUM)"), "rank " + rank + ": " + message);
        }
    }

    @Test
    void aBarrierAgainstASetFailsOnEveryRankNamingTheCalls()
    {
        final Throwable[] seen = new Throwable[3];
        assertTimeoutPreemptively(LIMIT, () -> assertThrows(PshmemException.class, () -> LocalJob.run(3, world ->
        {
            world.barrier();
            try (SharedIntArray array = SharedArray.ofInts(world, 4))
            {
                if (world.rank() == 0)
                {
                    world.barrier();
                }
                else
                {
                    array.set(world.rank() == 1 ? new int[] {1, 2, 3, 4} : null, 0);
                }
            }
            catch (final RuntimeException ex)
            {
                seen[world.rank()] = ex;
                throw ex;
            }
        })));
        for (int rank = 0; rank < 3; rank++)
        {
            final String message = String.valueOf(seen[rank]);
            // The board as the detecting rank saw it: a rank may not have posted its set() yet.
            assertTrue(message.contains("collectives do not match at call 2 of the world communicator since its " +
                "first array: rank 0 called barrier(), rank") && message.contains("called set() on array 1"),
                "rank " + rank + ": " + message);
        }
    }

    @Test
    void ranksWaitingForARankThatLeftNameIt()
    {
        final Throwable[] seen = new Throwable[3];
        final PshmemException failed = assertTimeoutPreemptively(LIMIT, () ->
            assertThrows(PshmemException.class, () -> LocalJob.run(3, world ->
            {
                world.barrier();
                if (world.rank() == 2)
                {
                    throw new IllegalStateException("rank 2 leaves on purpose");
                }
                try
                {
                    world.barrier();
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
            // Named as the endpoint's barrier names it: the node barrier hands over to it.
            assertTrue(seen[rank].getMessage().startsWith("barrier() on rank " + rank + ": rank 2 failed"),
                seen[rank].getMessage());
        }
    }

    @Test
    void acrossNodesRanksWaitingForARankThatFailedOrFinishedNameIt()
    {
        // {ranks, nodes, the rank that goes, whether it throws (else it returns from main)}
        for (final int[] layout : new int[][] {{4, 2, 3, 1}, {3, 2, 2, 0}, {3, 2, 1, 1}, {4, 2, 0, 0}})
        {
            final int ranks = layout[0];
            final int gone = layout[2];
            final Throwable[] seen = new Throwable[ranks];
            final String where = "layout " + ranks + " on " + layout[1] + ", rank " + gone + " goes: ";
            assertTimeoutPreemptively(LIMIT, () -> assertThrows(PshmemException.class, () ->
                LocalJob.run(ranks, layout[1], world ->
                {
                    world.barrier();
                    world.barrier(); // in node memory
                    if (world.rank() == gone)
                    {
                        if (layout[3] == 1)
                        {
                            throw new IllegalStateException("rank " + gone + " leaves on purpose");
                        }
                        return;
                    }
                    try
                    {
                        world.barrier();
                    }
                    catch (final RuntimeException ex)
                    {
                        seen[world.rank()] = ex;
                        throw ex;
                    }
                })), where);
            // Every other rank ends, none waits. The first to see it names the rank that went; a rank that gives
            // way after a node-mate failed because of it may name that node-mate instead (a cascade).
            boolean named = false;
            for (int rank = 0; rank < ranks; rank++)
            {
                if (rank != gone)
                {
                    assertInstanceOf(RankFailedException.class, seen[rank], where + "rank " + rank);
                    named |= ((RankFailedException)seen[rank]).failedRank() == gone;
                }
            }
            assertTrue(named, where + java.util.Arrays.toString(seen));
        }
    }

    @Test
    void anInterruptedRankKeepsWaitingAndKeepsItsFlag()
    {
        final boolean[] flag = new boolean[3];
        assertTimeoutPreemptively(LIMIT, () -> LocalJob.run(3, world ->
        {
            world.barrier();
            if (world.rank() == 0)
            {
                Thread.currentThread().interrupt();
            }
            else
            {
                Thread.sleep(200);
            }
            world.barrier();
            flag[world.rank()] = Thread.interrupted();
            world.barrier(); // the job goes on
        }));
        assertArrayEquals(new boolean[] {true, false, false}, flag);
    }

    @Test
    void aCommunicatorOverSeveralNodesWaitsInNodeMemoryAndHoldsEveryRank()
    {
        for (final int[] layout : new int[][] {{4, 2}, {5, 3}, {3, 3}})
        {
            final int ranks = layout[0];
            final int rounds = 30;
            final AtomicInteger[] arrived = new AtomicInteger[rounds];
            for (int round = 0; round < rounds; round++)
            {
                arrived[round] = new AtomicInteger();
            }
            final int[][] seen = new int[ranks][rounds];
            final boolean[] board = new boolean[ranks];
            assertTimeoutPreemptively(LIMIT, () -> LocalJob.run(ranks, layout[1], world ->
            {
                world.barrier(); // the first: through the endpoint, then makes the node segment
                board[world.rank()] = null != world.callBoard();
                for (int round = 0; round < rounds; round++)
                {
                    if (round % ranks == world.rank())
                    {
                        Thread.sleep(2);
                    }
                    arrived[round].incrementAndGet();
                    world.barrier();
                    seen[world.rank()][round] = arrived[round].get();
                }
                // The steps still match.
                assertEquals(ranks * (ranks + 1) / 2, world.allReduce(world.rank() + 1, ReduceOp.SUM));
            }));
            for (int rank = 0; rank < ranks; rank++)
            {
                assertTrue(board[rank], "layout " + ranks + " on " + layout[1] + ": rank " + rank);
                for (int round = 0; round < rounds; round++)
                {
                    assertEquals(ranks, seen[rank][round], "layout " + ranks + " on " + layout[1] + ": rank " +
                        rank + ", round " + round);
                }
            }
        }
    }

    @Test
    void aRankWaitingInTheBarrierShowsInItsActivity()
    {
        final String[] seen = new String[1];
        assertTimeoutPreemptively(LIMIT, () -> LocalJob.run(2, world ->
        {
            world.barrier();
            if (world.rank() == 0)
            {
                Thread.sleep(600);
            }
            else
            {
                final org.pshmem.spi.RankActivity activity = world.endpoint().activity();
                final Thread look = new Thread(() ->
                {
                    try
                    {
                        Thread.sleep(300);
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                    }
                    seen[0] = activity.waiting().map(org.pshmem.spi.RankActivity.Waiting::call).orElse("nothing");
                });
                look.start();
                world.barrier();
                look.join();
                return;
            }
            world.barrier();
        }));
        assertEquals("barrier() (step 1) on the world communicator", seen[0].replaceAll("step \\d+", "step 1"));
        assertTrue(seen[0].startsWith("barrier() (step "), seen[0]);
    }

    @Test
    void acrossNodesAnEndpointThatCannotTellKeepsTheBarrier()
    {
        // Only the question is expected: any other use of the endpoint (a wait, a message) fails the test.
        final CommEndpoint silent = (CommEndpoint)Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {CommEndpoint.class}, (proxy, method, args) ->
            {
                if (method.getName().equals("tellsCollectiveWaiting"))
                {
                    return InvocationHandler.invokeDefault(proxy, method, args);
                }
                throw new AssertionError("the barrier used the endpoint: " + method.getName());
            });
        final ByteBuffer control = ByteBuffer.allocateDirect(NodeSync.controlBytes(2));
        NodeSync.writeToken(control, 7);
        final NodeSync sync = new NodeSync(control, silent, silent, false);
        // Alone, on a node of two ranks, it would wait; it hands the barrier to the endpoint at once instead.
        assertTimeoutPreemptively(LIMIT, () -> assertEquals(false, sync.communicatorBarrier("barrier() (step 0)",
            silent, 0)));
    }
}
