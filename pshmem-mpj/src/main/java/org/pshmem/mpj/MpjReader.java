package org.pshmem.mpj;

import java.lang.reflect.Field;

/**
 * MPJ Express's niodev device reads every message of a rank on one thread of its own (its selector thread). When
 * that thread ends while the job runs (it ends on an error of any of its sockets, such as a connection closed
 * because an interrupt landed while a rank wrote to it, which {@link MpjCarrier} now prevents), nothing reaches
 * the rank any more, and a send to a closed connection waits for ever inside niodev ({@code NIODevice.isend}
 * keeps the connection's write lock when its write fails). {@link #ended()} lets the rank's watchdog fail the rank, naming the cause, instead of leaving
 * the job to its timeout.
 */
final class MpjReader
{
    /** Why a rank whose reader ended fails, for its failure line and the launcher's summary. */
    static final String ENDED = "MPJ Express's reader thread (niodev's selector) ended while the job ran: this " +
        "rank can no longer receive, and its sends to a closed connection would wait for ever (see Known limits " +
        "in the README)";

    private static final String NIODEVICE = "xdev.niodev.NIODevice";
    /** niodev's fields, once a niodev device was seen; {@link NiodevFields#NONE} when it lacks them. */
    private static volatile NiodevFields found;

    private MpjReader()
    {
    }

    /**
     * @return true when niodev runs in this JVM and its reader thread has ended though niodev still means to read;
     * false before {@code MPI.Init}, after {@code MPI.Finalize}, on other devices, and with an MPJ Express whose
     * device this class does not know.
     */
    static boolean ended()
    {
        final Thread reader = readerThread();
        return null != reader && ended(reader, running());
    }

    /**
     * @param reader  niodev's reader thread, or null.
     * @param running whether niodev still means to read.
     * @return whether the reader ended while niodev still means to read; a reader made but not yet started
     * ({@code MPI.Init} under way) has not ended.
     */
    static boolean ended(final Thread reader, final boolean running)
    {
        return null != reader && running && reader.getState() == Thread.State.TERMINATED;
    }

    /** @return whether niodev still means to read (its flag, down once {@code MPI.Finalize} ends the reader). */
    private static boolean running()
    {
        try
        {
            final Object device = mpjdev.javampjdev.MPJDev.dev;
            final NiodevFields fields = fieldsOf(device);
            return null != fields && fields.selectorFlag().getBoolean(device);
        }
        catch (final ReflectiveOperationException | RuntimeException | LinkageError ex)
        {
            return false;
        }
    }

    /** @return niodev's reader thread in this JVM, or null when there is none to watch. */
    static Thread readerThread()
    {
        try
        {
            final Object device = mpjdev.javampjdev.MPJDev.dev;
            final NiodevFields fields = fieldsOf(device);
            return null == fields ? null : (Thread)fields.selectorThreadStarter().get(device);
        }
        catch (final ReflectiveOperationException | RuntimeException | LinkageError ex)
        {
            return null; // another MPJ Express: no check, as before
        }
    }

    /**
     * @return niodev's fields when {@code device} is niodev's, looked up once; null otherwise. Only from the device
     * itself: naming niodev's class here would load it before {@link ListenPatch} defines its own.
     */
    private static NiodevFields fieldsOf(final Object device)
    {
        if (null == device || !NIODEVICE.equals(device.getClass().getName()))
        {
            return null;
        }
        NiodevFields fields = found;
        if (null == fields)
        {
            fields = NiodevFields.of(device.getClass());
            found = fields;
        }
        return fields == NiodevFields.NONE ? null : fields;
    }

    /**
     * niodev's two private fields the check reads (the watchdog asks five times a second).
     *
     * @param selectorThreadStarter the reader thread.
     * @param selectorFlag          whether niodev means to read.
     */
    private record NiodevFields(Field selectorThreadStarter, Field selectorFlag)
    {
        /** An MPJ Express whose niodev lacks them: nothing is checked. */
        static final NiodevFields NONE = new NiodevFields(null, null);

        static NiodevFields of(final Class<?> niodev)
        {
            try
            {
                final Field starter = niodev.getDeclaredField("selectorThreadStarter");
                final Field flag = niodev.getDeclaredField("selectorFlag");
                starter.setAccessible(true);
                flag.setAccessible(true);
                return new NiodevFields(starter, flag);
            }
            catch (final ReflectiveOperationException | RuntimeException ex)
            {
                return NONE;
            }
        }
    }
}
