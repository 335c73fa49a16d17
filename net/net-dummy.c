/* keeps the net library non-empty while it grows */
int ccni_net_dummy_symbol;
