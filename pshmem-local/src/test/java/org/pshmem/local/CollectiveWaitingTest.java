package org.pshmem.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.pshmem.api.PshmemException;
import org.pshmem.api.ReduceOp;
import org.pshmem.spi.Fingerprint;

/**
 * {@code collectiveWaiting(step)}: a rank waiting in a barrier made elsewhere (in node memory) learns that another
 * rank entered a collective of the endpoint at the same step, and waits there for it; a collective of the next
 * step, of a rank that already left that barrier, does not count. Giving way to the endpoint's barrier then
 * fails on both ranks, naming both calls.
 */
class CollectiveWaitingTest
{
    private static final long WAIT_SECONDS = 30; // only a broken test waits this long

    @Test
    void aCollectiveOfTheSameStepWaitsAndTheBarrierGivesWayToIt() throws Exception
    {
        final LocalJobState job = new LocalJobState(2, 2);
        final LocalEndpoint zero = new LocalEndpoint(job.world(), 0);
        final LocalEndpoint one = new LocalEndpoint(job.world(), 1);
        final Fingerprint print = zero.enterBarrierElsewhere();
        assertEquals(0, print.step());
        assertFalse(zero.collectiveWaiting(0), "no one is in a collective yet");
        final CompletableFuture<Throwable> reduce = CompletableFuture.supplyAsync(() ->
            assertThrows(PshmemException.class, () -> one.allReduce(new int[] {1}, new int[1], 1, ReduceOp.SUM)));
        awaitTrue(() -> zero.collectiveWaiting(0));
        assertFalse(zero.collectiveWaiting(1), "the deposit is of step 0");
        zero.exitBarrierElsewhere(false); // gives way: the endpoint's barrier takes the same step
        final PshmemException mine = assertThrows(PshmemException.class, zero::barrier);
        final Throwable theirs = reduce.get(WAIT_SECONDS, TimeUnit.SECONDS);
        for (final Throwable failure : new Throwable[] {mine, theirs})
        {
            assertTrue(failure.getMessage().startsWith("collectives do not match at step 0"), failure.getMessage());
            assertTrue(failure.getMessage().contains("barrier()"), failure.getMessage());
            assertTrue(failure.getMessage().contains("allReduce(int, SUM)"), failure.getMessage());
        }
    }

    @Test
    void theNextCollectiveOfARankThatLeftTheBarrierDoesNotCount() throws Exception
    {
        final LocalJobState job = new LocalJobState(2, 2);
        final LocalEndpoint zero = new LocalEndpoint(job.world(), 0);
        final LocalEndpoint one = new LocalEndpoint(job.world(), 1);
        // Both ranks make barrier step 0 elsewhere; rank 1 leaves it first and enters allReduce at step 1.
        zero.enterBarrierElsewhere();
        one.enterBarrierElsewhere();
        one.exitBarrierElsewhere(true);
        final int[] sum = new int[1];
        final CompletableFuture<Void> reduce = CompletableFuture.runAsync(() ->
            one.allReduce(new int[] {2}, sum, 1, ReduceOp.SUM));
        awaitTrue(() -> zero.collectiveWaiting(1));
        assertFalse(zero.collectiveWaiting(0), "rank 1's deposit is of step 1, after the barrier");
        zero.exitBarrierElsewhere(true);
        final int[] mine = new int[1];
        zero.allReduce(new int[] {3}, mine, 1, ReduceOp.SUM);
        reduce.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(5, mine[0]);
        assertEquals(5, sum[0]);
        assertFalse(zero.collectiveWaiting(2), "the exchange completed: nothing waits");
    }

    @Test
    void anAllReduceGivesWayCleanlyAndTheEndpointGoesOn() throws Exception
    {
        final LocalJobState job = new LocalJobState(3, 3);
        final LocalEndpoint[] ranks = {new LocalEndpoint(job.world(), 0), new LocalEndpoint(job.world(), 1),
            new LocalEndpoint(job.world(), 2)};
        final java.util.concurrent.atomic.AtomicBoolean giveWay = new java.util.concurrent.atomic.AtomicBoolean();
        final java.util.List<CompletableFuture<Boolean>> leaving = new java.util.ArrayList<>();
        for (int r = 0; r < 2; r++)
        {
            final LocalEndpoint ep = ranks[r];
            leaving.add(CompletableFuture.supplyAsync(() ->
                ep.allReduceUnless(new long[] {1}, new long[1], 1, ReduceOp.MIN, giveWay::get)));
        }
        awaitTrue(() -> ranks[2].collectiveWaiting(0)); // both deposits are in (rank 2 has not come)
        giveWay.set(true);
        for (final CompletableFuture<Boolean> each : leaving)
        {
            assertFalse(each.get(WAIT_SECONDS, TimeUnit.SECONDS), "gave way");
        }
        assertFalse(ranks[2].collectiveWaiting(0), "the deposits were taken back");
        // The step was not counted: every rank's next collective is step 0 again, and completes.
        final java.util.List<CompletableFuture<int[]>> sums = new java.util.ArrayList<>();
        for (final LocalEndpoint ep : ranks)
        {
            sums.add(CompletableFuture.supplyAsync(() ->
            {
                final int[] sum = new int[1];
                ep.allReduce(new int[] {ep.rank() + 1}, sum, 1, ReduceOp.SUM);
                return sum;
            }));
        }
        for (final CompletableFuture<int[]> sum : sums)
        {
            assertEquals(6, sum.get(WAIT_SECONDS, TimeUnit.SECONDS)[0]);
        }
        assertEquals(1, ranks[0].enterBarrierElsewhere().step());
    }

    @Test
    void withNothingToGiveWayToItIsAnAllReduce() throws Exception
    {
        final LocalJobState job = new LocalJobState(2, 1);
        final LocalEndpoint zero = new LocalEndpoint(job.world(), 0);
        final LocalEndpoint one = new LocalEndpoint(job.world(), 1);
        final long[] theirs = new long[1];
        final CompletableFuture<Boolean> other = CompletableFuture.supplyAsync(() ->
            one.allReduceUnless(new long[] {5}, theirs, 1, ReduceOp.MAX, () -> false));
        final long[] mine = new long[1];
        assertTrue(zero.allReduceUnless(new long[] {3}, mine, 1, ReduceOp.MAX, () -> false));
        assertTrue(other.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(5, mine[0]);
        assertEquals(5, theirs[0]);
    }

    private static void awaitTrue(final java.util.function.BooleanSupplier condition) throws InterruptedException
    {
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < end, "condition never met");
            Thread.sleep(1);
        }
    }
}
