package org.pshmem.mpi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A posted receive ({@code MPI_Irecv}) and the native memory it owns: the request slot and the buffer the
 * library writes the message into. That memory lives until the request completes (found by {@link #test()}) or
 * is withdrawn by {@link #close()}; the message is copied into the caller's array on completion, so the array is
 * never handed to the library.
 *
 * <p>One owner: the object may move between threads, but is used by one at a time.
 */
public final class MpiRequest implements AutoCloseable
{
    private final MpiLibrary library;
    private final Arena arena;
    private final MemorySegment request;
    private final MemorySegment buffer;
    private final MpiDatatype type;
    private final Object array;
    private final int offset;
    private MpiStatus status;
    private boolean closed;

    MpiRequest(final MpiLibrary library, final Arena arena, final MemorySegment request, final MemorySegment buffer,
        final MpiDatatype type, final Object array, final int offset)
    {
        this.library = library;
        this.arena = arena;
        this.request = request;
        this.buffer = buffer;
        this.type = type;
        this.array = array;
        this.offset = offset;
    }

    /**
     * {@code MPI_Test}: does not wait. The first call that finds the message complete copies it into the array
     * and frees the request's native memory; later calls return the same status.
     *
     * @return the message's sender, tag and number of elements once it has arrived, else null.
     * @throws IllegalStateException when the request was closed before it completed.
     */
    public MpiStatus test()
    {
        if (status != null)
        {
            return status;
        }
        if (closed)
        {
            throw new IllegalStateException("the receive was withdrawn (closed) before it completed");
        }
        final MpiStatus done;
        try (Arena scratch = Arena.ofConfined())
        {
            done = library.test(scratch, request, type);
        }
        if (done != null)
        {
            MpiLibrary.copyOut(type, buffer, array, offset, done.count());
            status = done;
            closed = true;
            arena.close();
        }
        return done;
    }

    /**
     * @return whether the message has arrived and is in the array.
     */
    public boolean isComplete()
    {
        return status != null;
    }

    /**
     * Withdraws the receive when it has not completed ({@code MPI_Cancel}, then {@code MPI_Wait} until the library
     * lets go of the buffer) and frees its native memory. A message that matched before the cancel is lost to the
     * caller. Does nothing after completion or a first close.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (!library.isNull(request))
            {
                library.cancelAndWait(request);
            }
        }
        finally
        {
            arena.close();
        }
    }
}
