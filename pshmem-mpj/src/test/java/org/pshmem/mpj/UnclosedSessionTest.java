package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.pshmem.api.DistributedLock;
import org.pshmem.api.Pshmem;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedDoubleArray;

/**
 * A program that never closes pshmem (nor its array and lock) ends when main returns, as under the other
 * transports: its rank's MPJ Express is finalised for it, whose threads would otherwise keep the JVM alive.
 */
class UnclosedSessionTest
{
    @Test
    void aJobThatForgetsCloseStillEnds()
    {
        final MpjJobs.Result result = MpjJobs.run(List.of("-np", "3", "--timeout", "60"), Forgetful.class.getName());
        assertEquals(0, result.status(), result.both());
        for (int rank = 0; rank < 3; rank++)
        {
            assertTrue(result.out().contains("rank " + rank + " read 7.0\n"), result.both());
        }
        assertTrue(!result.both().contains("did not finish within"), result.both());
    }

    /** Opens pshmem, an array and a lock, uses them, and returns without closing any. */
    public static final class Forgetful
    {
        private Forgetful()
        {
        }

        public static void main(final String[] args)
        {
            final Pshmem pshmem = Pshmem.init(args);
            final SharedDoubleArray array = SharedArray.ofDoubles(pshmem.world(), 2);
            final DistributedLock lock = DistributedLock.create(pshmem.world());
            array.set(pshmem.world().rank() == 0 ? new double[] {7.0, 7.0} : null, 0);
            lock.lock();
            lock.unlock();
            pshmem.world().barrier();
            System.out.println("rank " + pshmem.world().rank() + " read " + array.get(1));
        }
    }
}
