package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.pshmem.api.Communicator;
import org.pshmem.api.Pshmem;
import org.pshmem.api.PshmemException;
import org.pshmem.api.ReduceOp;
import org.pshmem.api.Region;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedLongArray;
import org.pshmem.local.LocalJob;
import org.pshmem.local.LocalLauncher;

/**
 * Ranks run as threads of one JVM: a program written as for MPJ Express (its communicator in a static field of
 * the main class) runs unchanged under the local launcher, and a communicator reached from another rank's thread
 * fails at once, naming both ranks.
 */
class ThreadRanksTest
{
    @Test
    void aProgramKeepingItsWorldInAStaticFieldRunsUnderTheLocalLauncher() throws Exception
    {
        final ChildProcess.Result result = LocalJvm.run(List.of(), LocalLauncher.class.getName(), "-np", "4",
            "--nodes", "2", StaticWorldProgram.class.getName());
        assertEquals(0, result.status(), result.err());
        final List<String> lines = result.out().lines().sorted().toList();
        assertEquals(List.of(
            "rank 0 of 4: main ran 1 time(s) in this rank, sum of ranks 6, array sum 6",
            "rank 1 of 4: main ran 1 time(s) in this rank, sum of ranks 6, array sum 6",
            "rank 2 of 4: main ran 1 time(s) in this rank, sum of ranks 6, array sum 6",
            "rank 3 of 4: main ran 1 time(s) in this rank, sum of ranks 6, array sum 6"), lines, result.err());
    }

    @Test
    void aCommunicatorUsedOnAnotherRanksThreadFailsNamingBothRanks()
    {
        final AtomicReference<Communicator> rankZeroWorld = new AtomicReference<>();
        final CountDownLatch published = new CountDownLatch(1);
        final PshmemException failed = assertThrows(PshmemException.class, () -> LocalJob.run(2, world ->
        {
            if (world.rank() == 0)
            {
                rankZeroWorld.set(world);
                published.countDown();
                world.barrier();
            }
            else
            {
                published.await();
                rankZeroWorld.get().barrier();
            }
        }));
        final Throwable cause = failed.getCause();
        assertInstanceOf(IllegalStateException.class, cause, String.valueOf(cause));
        assertTrue(cause.getMessage().startsWith("a communicator of world rank 0 was used on the thread of " +
            "world rank 1 (pshmem-rank-1)"), cause.getMessage());
    }

    /** Creation on one node agrees through node memory, not the endpoint: the check must come first anyway. */
    @Test
    void anArrayCreatedOnAnotherRanksCommunicatorFailsNamingBothRanks()
    {
        final AtomicReference<Communicator> rankZeroWorld = new AtomicReference<>();
        final CountDownLatch published = new CountDownLatch(1);
        final PshmemException failed = assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
            assertThrows(PshmemException.class, () -> LocalJob.run(2, world ->
            {
                try (SharedLongArray first = SharedArray.ofLongs(world, 2))
                {
                    // Both ranks' worlds now agree on creation through node memory.
                }
                if (world.rank() == 0)
                {
                    rankZeroWorld.set(world);
                    published.countDown();
                    world.barrier();
                }
                else
                {
                    published.await();
                    SharedArray.ofLongs(rankZeroWorld.get(), 2).close();
                }
            })));
        final Throwable cause = failed.getCause();
        assertInstanceOf(IllegalStateException.class, cause, String.valueOf(cause));
        assertTrue(cause.getMessage().startsWith("a communicator of world rank 0 was used on the thread of " +
            "world rank 1 (pshmem-rank-1)"), cause.getMessage());
    }

    @Test
    void aThreadARankStartsMayUseThatRanksCommunicator()
    {
        final long[] sums = new long[3];
        LocalJob.run(3, world ->
        {
            final long[] sum = new long[1];
            final Thread helper = new Thread(() -> sum[0] = world.allReduce((long)world.rank(), ReduceOp.SUM));
            helper.start();
            helper.join();
            sums[world.rank()] = sum[0];
        });
        assertEquals(List.of(3L, 3L, 3L), Arrays.stream(sums).boxed().toList());
    }

    /** The usual shape of an MPI program's main class: the runtime and the world in static fields. */
    public static final class StaticWorldProgram
    {
        private static Pshmem pshmem;
        private static Communicator world;
        private static int mainCalls;

        private StaticWorldProgram()
        {
        }

        public static void main(final String[] args)
        {
            mainCalls++;
            pshmem = Pshmem.init(args);
            world = pshmem.world();
            try (SharedLongArray ranks = SharedArray.ofLongs(world, world.size()))
            {
                final long sum = world.allReduce((long)world.rank(), ReduceOp.SUM);
                for (int writer = 0; writer < world.size(); writer++)
                {
                    final boolean mine = world.rank() == writer;
                    ranks.set(mine ? new long[] {writer} : null,
                        mine ? Region.at(writer).size(1) : null, writer);
                }
                long arraySum = 0;
                for (int i = 0; i < world.size(); i++)
                {
                    arraySum += ranks.get(i);
                }
                world.barrier();
                System.out.println("rank " + world.rank() + " of " + world.size() + ": main ran " + mainCalls +
                    " time(s) in this rank, sum of ranks " + sum + ", array sum " + arraySum);
            }
            finally
            {
                pshmem.close();
            }
        }
    }
}
