package org.pshmem.mpj;

import org.pshmem.api.Pshmem;
import org.pshmem.api.Region;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedDoubleArray;

/**
 * Job program for the leak tests: creates a 1 MiB shared array, then, by the first argument: {@code close}
 * closes it and ends normally; {@code throw} makes rank 1 throw while the others wait in a collective;
 * {@code hang} prints {@code READY <pid>} on every rank and sleeps, to be killed.
 */
public final class LeakProbe
{
    private LeakProbe()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        try (Pshmem pshmem = Pshmem.init(args);
            SharedDoubleArray shm = SharedArray.ofDoubles(pshmem.world(), 128, 1024))
        {
            final String mode = pshmem.args()[0];
            shm.set(pshmem.world().rank() == 0 ? new double[1024] : null, Region.at(0, 0).size(1, 1024), 0);
            if (mode.equals("throw") && pshmem.world().rank() == 1)
            {
                throw new IllegalStateException("rank 1 fails while holding a shared array");
            }
            if (mode.equals("hang"))
            {
                System.out.println("READY " + ProcessHandle.current().pid());
                Thread.sleep(120_000);
            }
            pshmem.world().barrier();
        }
    }
}
