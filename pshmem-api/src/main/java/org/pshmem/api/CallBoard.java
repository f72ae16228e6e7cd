package org.pshmem.api;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pshmem.spi.Fingerprint;

/**
 * The array calls of a one-node communicator's ranks, in node memory kept for the communicator: each rank
 * posts the array collective it enters (creation, {@code set()}, {@code assign()}, and which array) with its
 * number among that rank's array calls on the communicator, as one long in its own slot. A rank that waits in
 * node memory looks at the board while it parks: when another rank posted a different call at the same number,
 * the ranks wait in different collectives (such as {@code set()} on two arrays, or {@code set()} against a
 * creation) and would wait forever; every such rank sees it and throws the same failure naming every rank's
 * call.
 *
 * <p>Owned by the rank's {@link Communicator}, which closes it before giving back the memory; a closed board
 * posts and finds nothing.
 */
final class CallBoard
{
    /** The array collectives posted. */
    enum ArrayCall
    {
        /** {@code SharedArray.create()} and its typed forms. */
        CREATE,
        /** {@code set()}. */
        SET,
        /** {@code assign()}. */
        ASSIGN;

        private static final ArrayCall[] BY_CODE = values();

        String describe(final int array)
        {
            return this == CREATE ? "the creation of array " + array : name().toLowerCase(java.util.Locale.ROOT) +
                "() on array " + array;
        }
    }

    /** Bytes of node memory for a board of {@code ranks} ranks. */
    static int bytes(final int ranks)
    {
        return 8 * ranks;
    }

    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final int NUMBER_SHIFT = 32;
    private static final int CALL_BITS = 4;

    private final ByteBuffer slots;
    private final int rank;
    private final int ranks;
    private final String communicator;
    private long posted;
    private int number;
    private boolean closed;

    /**
     * @param slots        {@link #bytes(int)} bytes of node memory shared by the communicator's ranks, zero at first.
     * @param rank         this rank.
     * @param ranks        the communicator's size.
     * @param communicator names the communicator in messages.
     */
    CallBoard(final ByteBuffer slots, final int rank, final int ranks, final String communicator)
    {
        this.slots = slots;
        this.rank = rank;
        this.ranks = ranks;
        this.communicator = communicator;
    }

    /**
     * Posts that this rank enters {@code call} on {@code array} (numbered by creation, from 1).
     */
    void post(final ArrayCall call, final int array)
    {
        if (!closed)
        {
            posted = (long)++number << NUMBER_SHIFT | (long)array << CALL_BITS | call.ordinal();
            LONGS.setRelease(slots, 8 * rank, posted);
        }
    }

    /**
     * @return the failure when another rank posted a different call at this rank's last number; else null.
     */
    PshmemException mismatch()
    {
        if (closed || 0 == posted)
        {
            return null;
        }
        boolean differs = false;
        for (int r = 0; r < ranks && !differs; r++)
        {
            final long slot = (long)LONGS.getAcquire(slots, 8 * r);
            differs = slot >>> NUMBER_SHIFT == posted >>> NUMBER_SHIFT && slot != posted;
        }
        if (!differs)
        {
            return null; // the common case, on every park: no allocation
        }
        final long[] all = new long[ranks];
        for (int r = 0; r < ranks; r++)
        {
            all[r] = (long)LONGS.getAcquire(slots, 8 * r);
        }
        final Map<String, List<Integer>> ranksByCall = new LinkedHashMap<>();
        for (int r = 0; r < ranks; r++)
        {
            final long at = all[r] >>> NUMBER_SHIFT;
            final String call = 0 == all[r] ? "no array call yet" : describe(all[r]) +
                (at == posted >>> NUMBER_SHIFT ? "" : " (array call " + at + ")");
            ranksByCall.computeIfAbsent(call, c -> new ArrayList<>()).add(r);
        }
        final StringBuilder text = new StringBuilder("array collectives do not match at array call ")
            .append(posted >>> NUMBER_SHIFT).append(" of ").append(communicator).append(':');
        String separator = " ";
        for (final Map.Entry<String, List<Integer>> entry : ranksByCall.entrySet())
        {
            text.append(separator).append(Fingerprint.ranks(entry.getValue())).append(" called ").append(entry.getKey());
            separator = ", ";
        }
        return new PshmemException(text.toString());
    }

    /** The board's memory is being given back: nothing is posted or read any more. */
    void close()
    {
        closed = true;
    }

    private static String describe(final long slot)
    {
        final int array = (int)((slot & 0xFFFF_FFFFL) >>> CALL_BITS);
        return ArrayCall.BY_CODE[(int)(slot & ((1 << CALL_BITS) - 1))].describe(array);
    }
}
