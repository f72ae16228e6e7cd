package org.pshmem.mpj;

import java.nio.file.Files;
import java.nio.file.Path;

import org.pshmem.api.Communicator;
import org.pshmem.api.Pshmem;

/**
 * Job program for {@link NoOpenDoorTest}: once every rank is connected, rank 0 prints {@code READY}; then every
 * rank waits until the file named by the argument exists, and the job ends.
 */
public final class DoorProbe
{
    private DoorProbe()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        try (Pshmem pshmem = Pshmem.init(args))
        {
            final Communicator world = pshmem.world();
            final Path release = Path.of(pshmem.args()[0]);
            world.barrier();
            if (world.rank() == 0)
            {
                System.out.println("READY");
                System.out.flush();
            }
            final long end = System.nanoTime() + 120_000_000_000L;
            while (!Files.exists(release) && System.nanoTime() < end)
            {
                Thread.sleep(50);
            }
            world.barrier();
        }
    }
}
