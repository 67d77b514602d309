"""Demo data for `orders seed`: realistic customers, a catalogue and two years of orders.

`plan` draws the stories (which commands, when) from a seed; `tables` holds the names,
places and products they are drawn from; `writer` plays many stories per transaction
through the aggregates and writes their rows and events in bulk; `seed` runs it all with
a progress bar. Everything goes through the write model's rules (`commands/`).
"""
