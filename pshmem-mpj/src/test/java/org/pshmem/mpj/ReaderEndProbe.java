package org.pshmem.mpj;

import java.lang.reflect.Field;
import java.nio.channels.Selector;

import org.pshmem.api.Communicator;
import org.pshmem.api.Pshmem;

/**
 * A job for {@link MpjReaderTest}, one rank per node (so barriers are messages): after a first barrier, rank 1
 * ends niodev's reader thread as an error on its sockets would (its selector closed under it), says so, and every
 * rank enters a second barrier, which rank 1 can no longer finish. {@code NOT REACHED} would mean the barrier finished anyway.
 */
public final class ReaderEndProbe
{
    private ReaderEndProbe()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        try (Pshmem pshmem = Pshmem.init(args))
        {
            final Communicator world = pshmem.world();
            world.barrier();
            if (world.rank() == 1)
            {
                final Field selector = xdev.niodev.NIODevice.class.getDeclaredField("selector");
                selector.setAccessible(true);
                ((Selector)selector.get(mpjdev.javampjdev.MPJDev.dev)).close();
                final Thread reader = MpjReader.readerThread();
                reader.join(10_000);
                System.out.println("READER_ENDED rank 1: " + !reader.isAlive());
            }
            world.barrier();
            world.barrier();
            System.out.println("NOT REACHED rank " + world.rank());
        }
    }
}
